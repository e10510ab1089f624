"""The headless command line: inspect, analyze and clean an export without the app."""
from __future__ import annotations

import argparse
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
            s.add_argument("--key-file", type=Path, help="secret key file: tokens stay the same across files")
            s.add_argument("--plan", type=Path, help="anonymization plan TOML (keep/tokenize/generalize/scrub/drop)")
            s.add_argument("--products", type=Path, help="product name map TOML (value -> shown name)")
            s.add_argument("--allow-leaks", action="store_true", help="write the file even when the leak check finds personal values")
    return p


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {path}")
    except IsADirectoryError:
        raise UsageError(f"{what} is a folder, not a file: {path}")
    except OSError as e:
        raise UsageError(f"{what} cannot be read ({e.strerror}): {path}")


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
    data = _read(args.file, "input file")
    if args.mapping:
        from core import ingest

        raw = ingest.read_table(data, args.file.name, sheet=args.sheet, **given)
        text = _read(args.mapping, "mapping file").decode("utf-8", errors="replace")
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

    try:
        path.write_text(schema.mapping_to_toml(mapping), encoding="utf-8")
    except OSError as e:
        raise UsageError(f"--save-mapping cannot write {path} ({e.strerror})")


def _inspect(args) -> int:
    from core import pipeline, report

    save = args.save_mapping
    if save and not save.parent.is_dir():  # refused before the (possibly long) read
        raise UsageError(f"--save-mapping: the folder {save.parent} does not exist (create it, or pick another path)")
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
        pol = policy_mod.policy_from_toml(_read(args.policy, "policy file").decode("utf-8", errors="replace"))
    prepared = _prepare(args)
    result = metrics.summary(prepared.events, pol, prepared.quality.counts(), data_tz=prepared.mapping.timezone)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(report.summary_text(result))
    return EXIT_OK


def _clean(args) -> int:
    from core import export, privacy

    suffix = args.out.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".parquet"):
        raise UsageError(f"--out must end in .xlsx, .csv or .parquet (got '{suffix or 'no extension'}')")
    prepared = _prepare(args)
    key = _read(args.key_file, "key file") if args.key_file else None
    plan_text = _read(args.plan, "plan file").decode("utf-8", errors="replace") if args.plan else None
    products = _read(args.products, "product map").decode("utf-8", errors="replace") if args.products else None
    result = privacy.clean(prepared, key=key, plan_toml=plan_text, products_toml=products)
    leaks = result.leaks
    message = privacy.leak_message(leaks)
    if leaks.found and not args.allow_leaks:
        print(f"error: {message} Nothing was written; fix the plan or pass --allow-leaks.", file=sys.stderr)
        return EXIT_LEAKS
    writer = {".xlsx": export.to_xlsx_bytes, ".csv": export.to_csv_bytes, ".parquet": export.to_parquet_bytes}[suffix]
    args.out.write_bytes(writer(result.anonymized.clean))
    if args.json:
        print(json.dumps({"out": str(args.out), "rows": len(result.anonymized.clean),
                          "cells_scanned": leaks.cells_scanned, "leaks": leaks.found}))
    else:
        print(f"Wrote {len(result.anonymized.clean):,} rows to {args.out}")
        print(message)
    return EXIT_LEAKS if leaks.found else EXIT_OK
