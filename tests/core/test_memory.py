"""core.memory: importing core first makes pyarrow's allocator keep freed memory, in the app, the CLI and the bench.

Each check runs in a fresh interpreter: the allocator reads its option once, when pyarrow loads.
mimalloc prints the options in force when MIMALLOC_VERBOSE=1.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**clean, "PYTHONPATH": str(ROOT), "MIMALLOC_VERBOSE": "1", **env})


def _purge_delay(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "option 'purge_delay'" in line]
    if not lines:
        pytest.skip("this pyarrow does not use mimalloc (no option listing); nothing to check")
    return lines[0].split(":")[-1].strip()


@pytest.mark.parametrize("entry", ["import core", "import core.cli", "import bench", "import state"])
def test_entry_points_set_the_option_before_pyarrow_loads(entry):
    done = _run(f"{entry}\nimport pyarrow as pa\npa.array([1, 2, 3])\n"
                "import core.memory as m\nprint(m.keep_freed_memory().purge_delay_in_force)")
    assert done.returncode == 0, done.stderr[-2000:]
    assert _purge_delay(done.stderr) == "-1"
    assert done.stdout.strip().endswith("True")


def test_a_value_in_the_environment_is_kept():
    done = _run("import core\nimport pyarrow as pa\npa.array([1])", MIMALLOC_PURGE_DELAY="250")
    assert done.returncode == 0, done.stderr[-2000:]
    assert _purge_delay(done.stderr) == "250"


def test_too_late_is_reported_not_hidden():
    done = _run("import pyarrow as pa\npa.array([1])\nimport core.memory as m\nprint(m.keep_freed_memory())")
    assert done.returncode == 0, done.stderr[-2000:]
    assert _purge_delay(done.stderr) != "-1"  # mimalloc had read its default already
    assert "purge_delay_in_force=False" in done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's (Linux)")
def test_glibc_limits_are_accepted():
    from core import memory
    assert memory.keep_freed_memory().glibc in (True, False)  # False on a C library without mallopt (musl)
    if os.path.exists("/lib/x86_64-linux-gnu/libc.so.6") or os.path.exists("/lib/aarch64-linux-gnu/libc.so.6"):
        assert memory.keep_freed_memory().glibc
