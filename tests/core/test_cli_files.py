"""The command line and the user's own paths: a file or folder that cannot be read or written is the user's
problem (exit 2, one line naming the path and the reason), never "an internal problem" (exit 70)."""
from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli

ROOT = Path(__file__).resolve().parents[2]
CSV = ("ticket id,event time,status,tier,priority,agent\n"
       "T1,2025-07-01 09:00:00,Open,Tier 1,High,Grace Wanjiru\n"
       "T1,2025-07-01 09:20:00,In Progress,Tier 1,High,Grace Wanjiru\n")


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _only_line(captured) -> str:
    lines = captured.err.splitlines()
    assert len(lines) == 1 and captured.err.endswith("\n"), captured.err
    assert "internal problem" not in lines[0] and "Traceback" not in captured.err
    return lines[0]


# Each flag that reads a file: (command, flag, what the message calls it); None = the input file itself.
READS = [
    ("analyze", None, "the input file"),
    ("analyze", "--mapping", "the --mapping file"),
    ("analyze", "--policy", "the --policy file"),
    ("clean", "--plan", "the --plan file"),
    ("clean", "--products", "the --products file"),
    ("clean", "--key-file", "the --key-file"),
    ("clean", "--passphrase-file", "the --passphrase-file"),
]
BROKEN = {  # how the path is broken -> (the path under tmp_path, the reason; {tmp} is tmp_path)
    "missing file": ("nope.toml", "there is no such file"),
    "missing folder": ("no such folder/nope.toml", "the folder {tmp}/no such folder does not exist"),
    "a folder": ("a folder", "it is a folder, not a file"),
    "through a file": ("export.csv/nope.toml", "{tmp}/export.csv is a file, not a folder"),
}


@pytest.mark.parametrize("how", list(BROKEN))
@pytest.mark.parametrize("command, flag, what", READS, ids=[f or "input" for _, f, _ in READS])
def test_a_path_that_cannot_be_read_is_named_with_the_reason(command, flag, what, how, export: Path,
                                                             tmp_path: Path, capsys) -> None:
    (tmp_path / "a folder").mkdir()
    name, reason = BROKEN[how]
    bad = tmp_path / name
    out = tmp_path / "clean.csv"
    argv = [command, str(bad if flag is None else export)] + ([flag, str(bad)] if flag else []) + (
        ["--out", str(out)] if command == "clean" else [])
    assert cli.main(argv) == cli.EXIT_INPUT
    captured = capsys.readouterr()
    assert _only_line(captured) == f"error: cannot read {what} {bad}: {reason.format(tmp=tmp_path)}"
    assert captured.out == "" and not out.exists()


WRITES = [("clean", "--out", "the --out file", "clean.csv"),
          ("inspect", "--save-mapping", "the --save-mapping file", "mapping.toml")]


@pytest.mark.parametrize("how", ["missing folder", "a folder", "through a file"])
@pytest.mark.parametrize("command, flag, what, name", WRITES, ids=[w[1] for w in WRITES])
def test_a_path_that_cannot_be_written_is_refused_before_the_work(command, flag, what, name, how, export: Path,
                                                                  tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "a folder.csv").mkdir()
    bad = {"missing folder": tmp_path / "no such folder" / name, "a folder": tmp_path / "a folder.csv",
           "through a file": export / name}[how]
    reason = {"missing folder": f"the folder {tmp_path / 'no such folder'} does not exist",
              "a folder": "it is a folder, not a file", "through a file": f"{export} is a file, not a folder"}[how]
    read = []
    monkeypatch.setattr(cli, "_prepare", lambda args: read.append(args) or pytest.fail("the input was read"))
    assert cli.main([command, str(export), flag, str(bad)]) == cli.EXIT_INPUT
    captured = capsys.readouterr()
    assert _only_line(captured) == f"error: cannot write {what} {bad}: {reason}"
    assert captured.out == "" and not read


def test_the_qa_case_in_a_real_process(export: Path) -> None:
    """`python -m core clean file.csv --out /no/such/dir/x.csv` exited 70, 'Please report it'."""
    run = subprocess.run([sys.executable, "-m", "core", "clean", str(export), "--out", "/no/such/dir/x.csv"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == ("error: cannot write the --out file /no/such/dir/x.csv: "
                          "the folder /no/such/dir does not exist\n")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_the_users_problem(export: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "full.csv"
    out.symlink_to("/dev/full")  # every write to it fails with ENOSPC
    assert cli.main(["clean", str(export), "--out", str(out)]) == cli.EXIT_INPUT
    assert _only_line(capsys.readouterr()) == f"error: cannot write the --out file {out}: the disk is full"
    assert out.is_symlink()  # not this run's file: left as it was


def test_a_write_that_fails_midway_leaves_no_partial_file(export: Path, tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    out = tmp_path / "clean.csv"

    class HalfWritten:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:10])
            raise OSError(errno.EDQUOT, "Disk quota exceeded")

    monkeypatch.setattr(cli, "open", lambda path, mode: HalfWritten(open(path, mode)), raising=False)
    assert cli.main(["clean", str(export), "--out", str(out)]) == cli.EXIT_INPUT
    assert _only_line(capsys.readouterr()) == f"error: cannot write the --out file {out}: the disk quota is used up"
    assert not out.exists()


def test_no_permission_names_what_is_missing(tmp_path: Path) -> None:
    """Tests run as root here, where permissions never refuse: the reasons from the errors themselves."""
    denied = PermissionError(errno.EACCES, "Permission denied")
    existing = tmp_path / "there.csv"
    existing.write_text("x")
    assert cli._path_problem("read", "the --plan file", existing, denied) == (
        f"cannot read the --plan file {existing}: no permission to read it")
    assert cli._path_problem("write", "the --out file", existing, denied) == (
        f"cannot write the --out file {existing}: no permission to write it")
    new = tmp_path / "new.csv"
    assert cli._path_problem("write", "the --out file", new, denied) == (
        f"cannot write the --out file {new}: no permission to create files in {tmp_path}")
    assert cli._path_problem("write", "the --out file", new) is None  # nothing wrong before writing
    assert cli._path_problem("write", "the --out file", existing, OSError(errno.EROFS, "Read-only file system")) == (
        f"cannot write the --out file {existing}: the file system is read-only")
    assert cli._path_problem("read", "the input file", existing, OSError(errno.EIO, "Input/output error")) == (
        f"cannot read the input file {existing}: input/output error")


def test_a_permission_error_while_writing_exits_2(export: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    def denied(path, mode):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(cli, "open", denied, raising=False)
    out = tmp_path / "clean.csv"
    assert cli.main(["clean", str(export), "--out", str(out)]) == cli.EXIT_INPUT
    assert _only_line(capsys.readouterr()) == (
        f"error: cannot write the --out file {out}: no permission to create files in {tmp_path}")


def test_a_fault_of_ours_while_writing_is_still_exit_70(export: Path, tmp_path: Path, monkeypatch,
                                                        capsys) -> None:
    from core import export as export_mod

    def broken(frame):
        raise KeyError("cell")

    monkeypatch.setattr(export_mod, "to_csv_bytes", broken)
    monkeypatch.delenv("TIERLENS_DEBUG", raising=False)
    assert cli.main(["clean", str(export), "--out", str(tmp_path / "clean.csv")]) == cli.EXIT_INTERNAL
    assert "internal problem (KeyError) while running clean" in capsys.readouterr().err


# --------------------------------------------------------------------------- --products

VALUES_FORM = ('should hold a [values] table of "original" = "shown name" lines (or such lines above any table), '
               "each shown name in quotes; found ")


@pytest.mark.parametrize("text, found", [
    ('[value]\nACME = "Notifier"\n', "the table [value] instead"),
    ('[products]\nACME = "Notifier"\n[names]\nB = "b"\n', "the tables [products], [names] instead"),
    ('values = "Notifier"\n', "values = text, not a table"),
    ('[values]\nACME = 3\n"Old app" = true\n', 'ACME = a number, "Old app" = true/false under [values]'),
    ('ACME = ["Notifier"]\n', "ACME = a list"),
    ('[values]\nACME = "Notifier"\n[values.more]\nB = "b"\n', "the table [values.more]"),
], ids=["[value]", "other tables", "values as text", "not text", "a list", "nested"])
def test_a_products_file_of_the_wrong_form_says_what_was_expected_and_found(text: str, found: str, export: Path,
                                                                             tmp_path: Path, capsys) -> None:
    products = tmp_path / "products.toml"
    products.write_text(text, encoding="utf-8")
    out = tmp_path / "clean.csv"
    assert cli.main(["clean", str(export), "--out", str(out), "--products", str(products)]) == cli.EXIT_INPUT
    captured = capsys.readouterr()
    assert _only_line(captured) == f"error: the --products file {products} {VALUES_FORM}{found}"
    assert captured.out == "" and not out.exists()


def test_a_products_file_that_is_not_toml_is_named(export: Path, tmp_path: Path, capsys) -> None:
    products = tmp_path / "products.toml"
    products.write_text("[values\n", encoding="utf-8")
    assert cli.main(["clean", str(export), "--out", str(tmp_path / "c.csv"), "--products", str(products)]) == 2
    assert _only_line(capsys.readouterr()).startswith(f"error: the --products file {products} is not valid TOML (")


@pytest.mark.parametrize("text", ['[values]\n"Tier 1" = "First line"\n', '"Tier 1" = "First line"\n', ""],
                         ids=["table", "top level", "empty"])
def test_a_products_file_of_the_right_form_is_used(text: str, export: Path, tmp_path: Path, capsys) -> None:
    products = tmp_path / "products.toml"
    products.write_text(text, encoding="utf-8")
    out = tmp_path / "clean.csv"
    code = cli.main(["clean", str(export), "--out", str(out), "--products", str(products)])
    assert code == cli.EXIT_OK, capsys.readouterr().err
    assert out.is_file()
