"""Keep freed memory in the process for the next large table instead of returning it to the system.

A 1M-event upload builds and drops several GB of short-lived buffers (Arrow columns, numpy
arrays, DuckDB results). By default pyarrow's allocator (mimalloc) hands freed memory back
to the operating system one second later, and glibc's malloc unmaps every block over 32 MB
and trims its heaps. Each later buffer then page-faults, and the kernel zeroes every page
again: about 15 % of the CPU time of a 1M-event upload went to zeroing pages (measured with
``perf``, see bench/README.md).

``keep_freed_memory()`` tells both allocators to keep what they free for reuse:

- mimalloc reads ``MIMALLOC_PURGE_DELAY`` once, when pyarrow first loads, so this must run
  before anything imports pyarrow (or pandas, which imports it). ``core/__init__.py`` calls
  it, and the app, the command line and the benchmark import ``core`` before pyarrow. A
  value already in the environment is kept.
- glibc's limits are set with ``mallopt`` and take effect at once (Linux with glibc only;
  elsewhere nothing is changed).

The cost: the process keeps its high-water mark of memory after a big upload (reused by the
next one) instead of shrinking when idle.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys
from dataclasses import dataclass

PURGE_DELAY_ENV = "MIMALLOC_PURGE_DELAY"
NEVER = "-1"
_M_TRIM_THRESHOLD = -1  # glibc mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_MAX = 32 * 1024**2  # glibc's largest allowed mmap threshold on 64-bit systems
_TRIM_THRESHOLD = 2**31 - 1  # the largest mallopt takes: a heap keeps up to 2 GB free at its top


@dataclass(frozen=True)
class Settings:
    """What ``keep_freed_memory`` did: the mimalloc option in force and whether glibc accepted its limits."""

    purge_delay: str | None
    purge_delay_in_force: bool  # False when pyarrow had loaded before the option was set
    glibc: bool


# user-data-free: the cache holds only the allocator settings, so they are applied once per process
@functools.cache
def keep_freed_memory() -> Settings:
    """Set both allocators to keep freed memory (once per process); return what is in force."""
    in_force = "pyarrow" not in sys.modules
    os.environ.setdefault(PURGE_DELAY_ENV, NEVER)
    return Settings(os.environ.get(PURGE_DELAY_ENV), in_force, _glibc_keep())


def _glibc_keep() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    trim = mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    mmap = mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
    return bool(trim and mmap)
