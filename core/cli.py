"""The headless command line: inspect, analyze and clean an export without the app."""
from __future__ import annotations

import argparse
import errno
import json
import math
import os
import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from core.ingest import Limits
    from core.pipeline import MissingRoles
    from core.schema import Mapping

EXIT_OK, EXIT_INPUT, EXIT_LEAKS, EXIT_INTERNAL = 0, 2, 3, 70


def max_mb_hint() -> str:
    """Appended to the refusals --max-mb can lift (the app's own wording stays: the app cannot raise limits)."""
    from core.ingest import DEFAULT_LIMITS

    double = f"{2 * DEFAULT_LIMITS.max_bytes / 1024**2:g}"
    return ("Use --max-mb to raise the limit on your own machine (the row, cell and unpacked-workbook "
            f"limits grow in proportion: --max-mb {double} doubles them).")


class UsageError(Exception):
    """A problem with the command's own arguments or files (exit 2)."""


def _parser() -> argparse.ArgumentParser:
    from core.ingest import DEFAULT_LIMITS

    app_mb = f"{DEFAULT_LIMITS.max_bytes / 1024**2:g}"
    p = argparse.ArgumentParser(prog="python -m core", description="TierLens: SLA analysis of ticket exports.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, text in (("inspect", "show the detected columns, date formats and data quality"),
                       ("analyze", "compute the SLA figures"),
                       ("clean", "write an anonymized copy and check it for leaks")):
        s = sub.add_parser(name, help=text, description=text)
        s.add_argument("file", type=Path, help="the ticket export (CSV or XLSX)")
        s.add_argument("--mapping", type=Path,
                       help="column mapping TOML (as saved by the app or by inspect --save-mapping)")
        s.add_argument("--sheet", help="worksheet to read from an XLSX file (default: the first)")
        s.add_argument("--json", action="store_true", help="print one JSON object instead of text")
        s.add_argument("--max-mb", metavar="N",
                       help=f"largest input file in MB (default: {app_mb}, the app's limit); the row, cell and "
                            f"unpacked-XLSX limits grow in proportion above {app_mb}. Reading a CSV takes about 8 "
                            "times its size in memory")
        if name == "inspect":
            s.add_argument("--save-mapping", type=Path, metavar="PATH",
                           help="write the detected column mapping as TOML to PATH (also when a required column is "
                                "missing), to edit and pass back with --mapping")
        if name == "analyze":
            s.add_argument("--policy", type=Path, help="SLA policy TOML (default: HIGH 30m, MEDIUM 1d, LOW 1w)")
        if name == "clean":
            s.add_argument("--out", type=Path, required=True, help="output file: .xlsx, .csv or .parquet")
            keys = s.add_mutually_exclusive_group()
            keys.add_argument("--passphrase-file", type=Path, metavar="FILE",
                              help="file holding the passphrase typed on the app's Download page (one line, "
                                   f"{PASSPHRASE_MIN_CHARS} characters or more): the same tokens as the app's with "
                                   "that passphrase, in every file")
            keys.add_argument("--key-file", type=Path, metavar="FILE",
                              help="raw secret key file (its bytes are the key, at least 16): tokens stay the same "
                                   "across files run with it. Not the app's passphrase: its tokens differ from the "
                                   "app's; use --passphrase-file for those")
            s.add_argument("--plan", type=Path, help="anonymization plan TOML (keep/tokenize/generalize/scrub/drop)")
            s.add_argument("--products", type=Path,
                           help='product name map TOML: a [values] table of "original" = "shown name" lines')
            s.add_argument("--allow-leaks", action="store_true", help="write the file even when the leak check finds personal values")
    return p


def _path_problem(verb: str, what: str, path: Path, err: OSError | None = None) -> str | None:
    """The one-line refusal for a user's path that cannot be read or written, or None when nothing is wrong yet.

    Every read and write of a path the user gave goes through here (``_read``, ``_write``,
    ``_check_writable``): the path and the reason in plain words, never a traceback or exit 70.
    Without ``err`` only what the file system shows now is checked (a missing folder, a folder
    given as the file), as a refusal before the long work.
    """
    reason = _layout_problem(path, verb)
    if reason is None and err is not None:
        reason = _errno_reason(err, path, verb)
    return None if reason is None else f"cannot {verb} {what} {path}: {reason}"


def _layout_problem(path: Path, verb: str) -> str | None:
    """What is wrong with the path itself: a folder where a file should be, a folder that does not exist."""
    try:
        if path.is_dir():
            return "it is a folder, not a file"
        for folder in (path.parent, *path.parent.parents):
            if folder.is_dir():
                break
            if folder.exists():
                return f"{folder} is a file, not a folder" if folder.is_file() else f"{folder} is not a folder"
        if not path.parent.is_dir():
            return f"the folder {path.parent} does not exist"
        if verb == "read" and not path.exists():
            return "there is no such file"
    except OSError:  # the path cannot even be looked at (no permission on a folder): the error says why
        return None
    return None


_ERRNO_REASONS = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
                  errno.ENAMETOOLONG: "the name is too long", errno.EFBIG: "the file is too large for the file system"}
if hasattr(errno, "EDQUOT"):
    _ERRNO_REASONS[errno.EDQUOT] = "the disk quota is used up"


def _errno_reason(err: OSError, path: Path, verb: str) -> str:
    if isinstance(err, PermissionError):
        if verb == "read":
            return "no permission to read it"
        return "no permission to write it" if path.exists() else f"no permission to create files in {path.parent}"
    if err.errno in _ERRNO_REASONS:
        return _ERRNO_REASONS[err.errno]
    text = err.strerror or type(err).__name__
    return text[:1].lower() + text[1:]


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise UsageError(_path_problem("read", what, path, e)) from None


def _check_writable(path: Path, what: str) -> None:
    """Refuse an output path that cannot work (missing folder, a folder as the file) before the long work."""
    problem = _path_problem("write", what, path)
    if problem:
        raise UsageError(problem)


def _write(path: Path, data: bytes, what: str) -> None:
    """Write ``data`` to the user's path; a file this run created is removed again when the write fails midway."""
    existed = os.path.lexists(path)
    opened = False
    try:
        with open(path, "wb") as f:
            opened = True
            f.write(data)
    except OSError as e:
        if opened and not existed:
            try:
                path.unlink()
            except OSError:
                pass
        raise UsageError(_path_problem("write", what, path, e)) from None


def _limits(max_mb: str | None) -> Limits | None:
    """The ingest Limits for ``--max-mb``, or None (no flag: the app's own limits, the readers' default).

    The byte cap is N MB. Rows, cells and an XLSX's unpacked size scale by N MB / the app's byte limit
    (``DEFAULT_LIMITS.max_bytes``) when N is above that limit, and never drop below the app's values,
    so a lower N only refuses larger files.
    Columns, archive entries and the compression ratio (the zip-bomb checks) stay as they are.
    """
    from dataclasses import replace

    from core.ingest import DEFAULT_LIMITS

    if max_mb is None:
        return None
    try:
        mb = float(max_mb)
    except ValueError:
        mb = math.nan
    if not (math.isfinite(mb) and mb > 0):
        raise UsageError(f"--max-mb must be a number of megabytes greater than 0, such as 1200 (got '{max_mb}')")
    max_bytes = max(1, int(mb * 1024**2))
    scale = max(1.0, max_bytes / DEFAULT_LIMITS.max_bytes)
    return replace(DEFAULT_LIMITS, max_bytes=max_bytes,
                   max_rows=math.ceil(DEFAULT_LIMITS.max_rows * scale),
                   max_cells=math.ceil(DEFAULT_LIMITS.max_cells * scale),
                   max_uncompressed_bytes=math.ceil(DEFAULT_LIMITS.max_uncompressed_bytes * scale))


def _with_max_mb_hint(err: Exception) -> str:
    """The refusal's message, with max_mb_hint() when --max-mb could admit the file (ingest.TooLarge)."""
    from core.ingest import TooLarge

    return f"{err} {max_mb_hint()}" if isinstance(err, TooLarge) and err.scalable else str(err)


def _prepare(args):
    from core import pipeline, schema

    limits = _limits(args.max_mb)
    # Without --max-mb no limits are passed, so each reader's own default applies: the app's limits, or a
    # case's own in tests/core/test_corpus_cli.py, which sets pipeline.prepare's default.
    given = {} if limits is None else {"limits": limits}
    data = _read(args.file, "the input file")
    if args.mapping:
        from core import ingest

        raw = ingest.read_table(data, args.file.name, sheet=args.sheet, **given)
        text = _read(args.mapping, "the --mapping file").decode("utf-8", errors="replace")
        # from the table already read: reading the file again would hold two copies (twice the memory)
        return pipeline.prepare_from_raw(raw, schema.mapping_from_toml(text, raw.frame))
    return pipeline.prepare(data, args.file.name, sheet=args.sheet, **given)


def _quoted(column: str) -> str:
    """A column name in quotes, control characters escaped (the error stays one printable line)."""
    return "'" + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", column) + "'"


def _missing_roles_message(err: MissingRoles, args: argparse.Namespace, shown: int = 40) -> str:
    """The core message, the file's column names (headers only, never cells) and the next step on the command line."""
    columns = [str(c) for c in err.raw.frame.columns]
    listed = ", ".join(_quoted(c) for c in columns[:shown])
    if len(columns) > shown:
        listed += f", … ({len(columns):,} in all)"
    roles = " and ".join(f'{r} = "<column>"' for r in err.missing)
    if args.mapping:
        step = f"Set {roles} under [roles] in {args.mapping} and run again."
    elif getattr(args, "save_mapping", None):
        saved = shlex.quote(str(args.save_mapping))
        step = (f"The detected mapping was written to {args.save_mapping}: set {roles} under [roles] in it, "
                f"then run again with --mapping {saved}.")
    else:
        step = (f"Next: python -m core inspect {shlex.quote(str(args.file))} --save-mapping mapping.toml, "
                f"set {roles} under [roles] in mapping.toml, then run again with --mapping mapping.toml.")
    return f"{err} Columns in the file: {listed or 'none'}. {step}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code (0 ok, 2 unusable input, 3 leaks, 70 a fault of ours)."""
    from core.ingest import InputError
    from core.pipeline import MissingRoles

    args = _parser().parse_args(argv)
    try:
        if args.command == "inspect":
            return _inspect(args)
        if args.command == "analyze":
            return _analyze(args)
        return _clean(args)
    except MissingRoles as e:  # one line, like every refusal: the columns and the next step
        print(f"error: {_missing_roles_message(e, args)}", file=sys.stderr)
        return EXIT_INPUT
    except InputError as e:
        print(f"error: {_with_max_mb_hint(e)}", file=sys.stderr)
        return EXIT_INPUT
    except (UsageError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        print("error: the file is too large to process on this machine", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        raise  # the reader stopped early (... | head): core/__main__.py ends quietly
    except Exception as e:  # a fault of ours, not of the input: one line, no cell value; details on request
        if os.environ.get("TIERLENS_DEBUG"):
            raise
        print(f"error: TierLens hit an internal problem ({type(e).__name__}) while running {args.command}; no file "
              "was written. Please report it with the file's shape (rows, columns, headers); "
              "TIERLENS_DEBUG=1 shows the details.", file=sys.stderr)
        return EXIT_INTERNAL


def _save_mapping(mapping: Mapping, path: Path) -> None:
    from core import schema

    _write(path, schema.mapping_to_toml(mapping).encode("utf-8"), "the --save-mapping file")


def _inspect(args) -> int:
    from core import pipeline, report

    save = args.save_mapping
    if save:  # refused before the (possibly long) read
        _check_writable(save, "the --save-mapping file")
    try:
        prepared = _prepare(args)
    except pipeline.MissingRoles as err:
        if save:  # the detected mapping is what the user needs to name the missing column
            _save_mapping(err.mapping, save)
        raise
    if save:
        _save_mapping(prepared.mapping, save)
    if args.json:
        doc = report.inspect_dict(prepared)
        print(json.dumps({**doc, "mapping_file": str(save)} if save else doc, indent=2, default=str))
    else:
        print(report.inspect_text(prepared))
        if save:
            print(f"\nColumn mapping written to {save}: edit it, then pass --mapping {shlex.quote(str(save))}.")
    return EXIT_OK


def _analyze(args) -> int:
    from core import metrics, policy as policy_mod, report

    pol = policy_mod.Policy.default()
    if args.policy:
        pol = policy_mod.policy_from_toml(_read(args.policy, "the --policy file").decode("utf-8", errors="replace"))
    prepared = _prepare(args)
    result = metrics.summary(prepared.events, pol, prepared.quality.counts(), data_tz=prepared.mapping.timezone)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(report.summary_text(result, prepared.quality.findings))
    return EXIT_OK


# Key.MIN_PASSPHRASE_CHARS (the app's rule as well), not imported here so that --help stays light;
# tests/core/test_cli_keys.py checks the two agree.
PASSPHRASE_MIN_CHARS = 16


def _token_key(args):
    """The token key of --key-file (its raw bytes) or of --passphrase-file (the app's key from it), or None."""
    from core.anonymize import Key

    if args.key_file:
        raw = _read(args.key_file, "the --key-file")
        if len(raw) < 16:
            raise UsageError(f"the --key-file {args.key_file} holds {len(raw)} bytes; a raw key needs at least 16 "
                             "(for the passphrase typed on the app's Download page use --passphrase-file)")
        return Key(raw)
    if args.passphrase_file:
        path = args.passphrase_file
        try:
            phrase = _read(path, "the --passphrase-file").decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UsageError(f"the --passphrase-file {path} is not UTF-8 text") from None
        phrase = phrase.removesuffix("\n").removesuffix("\r")  # one line ending, as an editor or echo leaves it
        if not phrase:
            raise UsageError(f"the --passphrase-file {path} is empty: write the passphrase used on the app's "
                             f"Download page ({PASSPHRASE_MIN_CHARS} characters or more) in it")
        if len(phrase) < PASSPHRASE_MIN_CHARS:
            raise UsageError(f"the passphrase in the --passphrase-file {path} is too short: a passphrase needs "
                             f"{PASSPHRASE_MIN_CHARS} characters or more, as on the app's Download page")
        return Key.from_passphrase(phrase)
    return None


_VALUE_MAP_FORM = 'a [values] table of "original" = "shown name" lines (or such lines above any table)'


def _products_text(path: Path) -> str:
    """The --products file's text once it has the form core.anonymize.load_value_map_toml reads.

    That reader's own refusal ("a value map must map each value to a text shown name") names
    neither the table it looked for nor what it found; this says both, before the long work.
    """
    import tomllib

    text = _read(path, "the --products file").decode("utf-8", errors="replace")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"the --products file {path} is not valid TOML ({e})") from None
    if "values" in doc and not isinstance(doc["values"], dict):
        found = f"values = {_toml_kind(doc['values'])}, not a table"
    else:
        table, where = (doc["values"], " under [values]") if "values" in doc else (doc, "")
        tables = [k for k, v in table.items() if isinstance(v, dict)]
        other = [k for k, v in table.items() if not isinstance(v, (str, dict))]
        if not tables and not other:
            return text
        found = []
        if tables:
            found.append(("the table " if len(tables) == 1 else "the tables ")
                         + ", ".join(f"[{'values.' if where else ''}{_toml_key(k)}]" for k in tables)
                         + ("" if where else " instead"))
        if other:
            found.append(", ".join(f"{_toml_key(k)} = {_toml_kind(table[k])}" for k in other[:5])
                         + (f" (and {len(other) - 5} more)" if len(other) > 5 else "") + where)
        found = "; ".join(found)
    raise UsageError(f"the --products file {path} should hold {_VALUE_MAP_FORM}, each shown name in quotes; "
                     f"found {found}")


def _toml_key(key: str) -> str:
    """A key as it is written in TOML: bare, or quoted with escapes (one printable line)."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_kind(value: object) -> str:
    kinds = ((str, "text"), (bool, "true/false"), (int, "a number"), (float, "a number"), (list, "a list"),
             (dict, "a table"))
    return next((name for t, name in kinds if isinstance(value, t)), "a date or time")


def _clean(args) -> int:
    from core import export, privacy

    suffix = args.out.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".parquet"):
        raise UsageError(f"--out must end in .xlsx, .csv or .parquet (got '{suffix or 'no extension'}')")
    # the small files and the output path first: their mistakes are refused before the (possibly long) read
    _check_writable(args.out, "the --out file")
    key = _token_key(args)
    plan_text = _read(args.plan, "the --plan file").decode("utf-8", errors="replace") if args.plan else None
    products = _products_text(args.products) if args.products else None
    prepared = _prepare(args)
    result = privacy.clean(prepared, key=key, plan_toml=plan_text, products_toml=products)
    leaks = result.leaks
    message = privacy.leak_message(leaks)
    if leaks.found and not args.allow_leaks:
        print(f"error: {message} Nothing was written; fix the plan or pass --allow-leaks.", file=sys.stderr)
        return EXIT_LEAKS
    writer = {".xlsx": export.to_xlsx_bytes, ".csv": export.to_csv_bytes, ".parquet": export.to_parquet_bytes}[suffix]
    _write(args.out, writer(result.anonymized.clean), "the --out file")
    if args.json:
        print(json.dumps({"out": str(args.out), "rows": len(result.anonymized.clean),
                          "cells_scanned": leaks.cells_scanned, "leaks": leaks.found,
                          "name_like_columns": {c: {"name_like": n, "distinct": d} for c, (n, d) in leaks.name_like.items()}}))
    else:
        print(f"Wrote {len(result.anonymized.clean):,} rows to {args.out}")
        print(message)
    if leaks.name_like:  # a warning, not a failed check: the exit code stays
        print(f"warning: {leaks.name_like_message()} (--plan FILE)", file=sys.stderr)
    return EXIT_LEAKS if leaks.found else EXIT_OK
