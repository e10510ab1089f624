"""Stable tokens from the command line: --passphrase-file gives exactly the app's tokens for the passphrase typed on
the Download page; --key-file stays a raw key (other tokens)."""
from __future__ import annotations

from pathlib import Path

import pytest

from core import cli, export, pipeline, privacy
from core.anonymize import Key

ROOT = Path(__file__).resolve().parents[2]
PHRASE = "correct horse battery staple"
CSV = ("ticket id,event time,status,tier,priority,school name,agent,issue title\n"
       "T1,2025-07-01 09:00:00,Open,Tier 1,High,St Mary's Academy,Grace Wanjiru,Call Grace Wanjiru now\n"
       "T1,2025-07-01 09:20:00,In Progress,Tier 1,High,St Mary's Academy,Grace Wanjiru,Call Grace Wanjiru now\n"
       "T2,2025-07-02 10:00:00,Open,Tier 1,Low,Hillside School,Sean O'Sullivan,mail sean@example.org\n")


@pytest.fixture()
def export_file(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _app_clean(path: Path, key) -> bytes:
    """What the app does with an upload and a passphrase (state.set_passphrase, state's privacy.clean call)."""
    prepared = pipeline.prepare(path.read_bytes(), path.name)
    return export.to_csv_bytes(privacy.clean(prepared, key=key).anonymized.clean)


def _cli_clean(path: Path, out: Path, *flags: str) -> bytes:
    assert cli.main(["clean", str(path), "--out", str(out), *flags]) == cli.EXIT_OK
    return out.read_bytes()


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"], ids=["no newline", "newline", "CRLF"])
def test_a_passphrase_file_gives_the_apps_tokens(ending: str, export_file: Path, tmp_path: Path, capsys) -> None:
    secret = tmp_path / "team.passphrase"
    secret.write_bytes((PHRASE + ending).encode("utf-8"))
    got = _cli_clean(export_file, tmp_path / "cli.csv", "--passphrase-file", str(secret))
    assert got == _app_clean(export_file, Key.from_passphrase(PHRASE))
    assert "Agent " in got.decode() and "Grace" not in got.decode()
    assert got != _app_clean(export_file, None)  # keyed tokens, not numbered ones
    out = capsys.readouterr()
    assert PHRASE not in out.out + out.err


def test_a_key_file_is_a_raw_key_not_the_passphrase(export_file: Path, tmp_path: Path) -> None:
    raw = tmp_path / "team.key"
    raw.write_bytes(PHRASE.encode("utf-8"))
    got = _cli_clean(export_file, tmp_path / "raw.csv", "--key-file", str(raw))
    assert got == _app_clean(export_file, PHRASE.encode("utf-8"))  # as before: the bytes are the key
    assert got != _app_clean(export_file, Key.from_passphrase(PHRASE))


def test_only_one_line_ending_is_taken_off(export_file: Path, tmp_path: Path) -> None:
    """A passphrase that ends in spaces keeps them, as the app's text box keeps them."""
    secret = tmp_path / "p"
    secret.write_text(PHRASE + "  \n", encoding="utf-8")
    got = _cli_clean(export_file, tmp_path / "cli.csv", "--passphrase-file", str(secret))
    assert got == _app_clean(export_file, Key.from_passphrase(PHRASE + "  "))
    assert got != _app_clean(export_file, Key.from_passphrase(PHRASE))


@pytest.mark.parametrize("content, message", [
    (b"", "error: the --passphrase-file {p} is empty: write the passphrase used on the app's Download page "
          "(16 characters or more) in it"),
    (b"\n", "error: the --passphrase-file {p} is empty: write the passphrase used on the app's Download page "
            "(16 characters or more) in it"),
    (b"fifteen chars!!\n", "error: the passphrase in the --passphrase-file {p} is too short: a passphrase needs "
                           "16 characters or more, as on the app's Download page"),
    (b"\xff\xfe not text", "error: the --passphrase-file {p} is not UTF-8 text"),
], ids=["empty", "a newline", "15 characters", "not UTF-8"])
def test_an_unusable_passphrase_file_is_refused_before_the_work(content: bytes, message: str, export_file: Path,
                                                                tmp_path: Path, monkeypatch, capsys) -> None:
    secret = tmp_path / "p"
    secret.write_bytes(content)
    out = tmp_path / "clean.csv"
    monkeypatch.setattr(cli, "_prepare", lambda args: pytest.fail("the input was read"))
    assert cli.main(["clean", str(export_file), "--out", str(out), "--passphrase-file", str(secret)]) == 2
    captured = capsys.readouterr()
    assert captured.err == message.format(p=secret) + "\n" and captured.out == ""
    assert not out.exists()


def test_sixteen_characters_are_enough_and_counted_as_characters(export_file: Path, tmp_path: Path) -> None:
    phrase = "ünïcödé pässwörd"  # 16 characters, 23 bytes: the app counts characters
    assert len(phrase) == 16
    secret = tmp_path / "p"
    secret.write_text(phrase + "\n", encoding="utf-8")
    got = _cli_clean(export_file, tmp_path / "cli.csv", "--passphrase-file", str(secret))
    assert got == _app_clean(export_file, Key.from_passphrase(phrase))


def test_the_rule_is_the_apps(tmp_path: Path) -> None:
    """One minimum: Key's, used by the Download page and mirrored by the CLI (which keeps --help light)."""
    from core.anonymize import Key

    assert cli.PASSPHRASE_MIN_CHARS == Key.MIN_PASSPHRASE_CHARS
    page = (ROOT / "pages" / "download.py").read_text(encoding="utf-8")
    assert page.count("Key.MIN_PASSPHRASE_CHARS") == 2  # the label and the button
    assert "Key.from_passphrase(phrase)" in (ROOT / "state.py").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=f"at least {Key.MIN_PASSPHRASE_CHARS} characters"):
        Key.from_passphrase("x" * (Key.MIN_PASSPHRASE_CHARS - 1))
    assert Key.from_passphrase("x" * Key.MIN_PASSPHRASE_CHARS)


def test_key_file_and_passphrase_file_exclude_each_other(export_file: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "k").write_bytes(b"0123456789abcdef")
    (tmp_path / "p").write_text(PHRASE)
    with pytest.raises(SystemExit) as stop:
        cli.main(["clean", str(export_file), "--out", str(tmp_path / "c.csv"), "--key-file", str(tmp_path / "k"),
                  "--passphrase-file", str(tmp_path / "p")])
    assert stop.value.code == 2
    assert "argument --passphrase-file: not allowed with argument --key-file" in capsys.readouterr().err


def test_a_short_key_file_is_refused_before_the_work(export_file: Path, tmp_path: Path, monkeypatch,
                                                     capsys) -> None:
    key = tmp_path / "k"
    key.write_bytes(b"short")
    monkeypatch.setattr(cli, "_prepare", lambda args: pytest.fail("the input was read"))
    assert cli.main(["clean", str(export_file), "--out", str(tmp_path / "c.csv"), "--key-file", str(key)]) == 2
    assert capsys.readouterr().err == (f"error: the --key-file {key} holds 5 bytes; a raw key needs at least 16 (for "
                                       "the passphrase typed on the app's Download page use --passphrase-file)\n")


def test_the_help_tells_the_two_apart(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["clean", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--passphrase-file FILE file holding the passphrase typed on the app's Download page" in text
    assert "Not the app's passphrase" in text
