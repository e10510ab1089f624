"""Where the time goes: ``python -m bench.profile [--size 100k] [--kind csv] [--top 40]``.

Runs our chain once to warm up, then once under cProfile, and prints the functions with
the most own time and the most cumulative time (the chain's and the libraries' alike).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys

from bench import data as bench_data
from bench import ours


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    p.add_argument("--size", default="100k")
    p.add_argument("--kind", default="csv", choices=("csv", "xlsx"))
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--filter-change", action="store_true", help="profile the filter change instead")
    p.add_argument("--exports", action="store_true", help="profile the CSV and Parquet exports instead")
    args = p.parse_args(argv)
    ds = bench_data.ensure(args.size, args.kind, log=lambda *a: print(*a, file=sys.stderr))
    data = ds.read_bytes()
    warm = ours.end_to_end(data, ds.filename)
    print("warm run:", f"{warm.total_s:.2f} s", {k: round(v, 3) for k, v in warm.stages.items()})
    events, clean = warm.cleaned.anonymized.events, warm.cleaned.anonymized.clean
    del warm
    prof = cProfile.Profile()
    if args.filter_change:
        prof.runcall(ours.filter_change, events)
    elif args.exports:
        from core import export
        prof.runcall(lambda: (export.to_csv_bytes(clean), export.to_parquet_bytes(clean)))
    else:
        del events, clean
        prof.runcall(ours.end_to_end, data, ds.filename)
    for order in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"--- by {order} ---")
        print("\n".join(buf.getvalue().splitlines()[4:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
