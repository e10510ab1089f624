"""The headless command line: inspect, analyze and clean an export without the app."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

EXIT_OK, EXIT_INPUT, EXIT_LEAKS = 0, 2, 3


class UsageError(Exception):
    """A problem with the command's own arguments or files (exit 2)."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core", description="TierLens: SLA analysis of ticket exports.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, text in (("inspect", "show the detected columns, date formats and data quality"),
                       ("analyze", "compute the SLA figures"),
                       ("clean", "write an anonymized copy and check it for leaks")):
        s = sub.add_parser(name, help=text, description=text)
        s.add_argument("file", type=Path, help="the ticket export (CSV or XLSX)")
        s.add_argument("--mapping", type=Path, help="column mapping TOML (as saved by the app)")
        s.add_argument("--sheet", help="worksheet to read from an XLSX file (default: the first)")
        s.add_argument("--json", action="store_true", help="print one JSON object instead of text")
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


def _prepare(args):
    from core import pipeline, schema

    data = _read(args.file, "input file")
    mapping = None
    if args.mapping:
        from core import ingest

        raw = ingest.read_table(data, args.file.name, sheet=args.sheet)
        text = _read(args.mapping, "mapping file").decode("utf-8", errors="replace")
        mapping = schema.mapping_from_toml(text, raw.frame)
    return pipeline.prepare(data, args.file.name, mapping=mapping, sheet=args.sheet)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code (0 ok, 2 unusable input, 3 leaks)."""
    from core.ingest import InputError

    args = _parser().parse_args(argv)
    try:
        if args.command == "inspect":
            return _inspect(args)
        if args.command == "analyze":
            return _analyze(args)
        return _clean(args)
    except (InputError, UsageError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        print("error: the file is too large to process on this machine", file=sys.stderr)
        return EXIT_INPUT


def _inspect(args) -> int:
    from core import report

    prepared = _prepare(args)
    if args.json:
        print(json.dumps(report.inspect_dict(prepared), indent=2, default=str))
    else:
        print(report.inspect_text(prepared))
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
