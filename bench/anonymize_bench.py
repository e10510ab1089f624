"""Time anonymize, leak_check and the exports on a synthetic export (default 1M rows x 37 columns: 5 personal, a title)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import anonymize as an  # noqa: E402
from core import export as ex  # noqa: E402

FIRST = ["John", "Mary", "Zoë", "José", "Will", "May", "Mark", "Grace", "Peter", "Aisha", "Faith",
         "David", "Brian", "Wanjiku", "Otieno", "Achieng", "Kamau", "Njeri", "Ian", "Lucy"]
LAST = ["Smith", "O'Sullivan", "Wanjiru", "Álvarez", "Mwangi", "Ochieng", "Kiprop", "Noor",
        "Kamau", "Otieno", "Brown", "Lee", "Njoroge", "Mutua", "Chebet", "Kariuki"]
WORDS = ["cannot", "log", "in", "fees", "report", "timetable", "sms", "not", "sending", "login",
         "error", "balance", "exam", "results", "printer", "slow", "urgent", "please", "help", "class"]


def names(rng: np.random.Generator, count: int, tag: str) -> np.ndarray:
    # A numbered suffix keeps each value distinct, as real rosters are.
    first = rng.choice(FIRST, count)
    last = rng.choice(LAST, count)
    return np.array([f"{f} {l}{tag}{i}" for i, (f, l) in enumerate(zip(first, last))], dtype=object)


def titles(rng: np.random.Generator, rows: int, people: np.ndarray, distinct: int) -> np.ndarray:
    """``distinct`` title texts (a tenth mention a person, some a phone or e-mail), spread over ``rows``."""
    texts = []
    for i in range(distinct):
        words = list(rng.choice(WORDS, 5))
        if i % 10 == 0:
            words.insert(1, str(people[i % len(people)]))
        if i % 25 == 0:
            words.append("call +254 712 345 678")
        if i % 40 == 0:
            words.append("mail someone@example.org")
        texts.append(" ".join(words) + f" #{i}")
    return np.array(texts, dtype=object)[rng.integers(0, distinct, rows)]


def build(rows: int, seed: int = 7) -> tuple[pd.DataFrame, dict[str, str]]:
    rng = np.random.default_rng(seed)
    columns = {
        "School Name": (names(rng, 2000, " Academy "), "School"),
        "Resolved By Name": (names(rng, 300, " "), "Agent"),
        "Regional Manager Name": (names(rng, 20, " RM"), "Regional Manager"),
        "Relationship Manager Name": (names(rng, 150, " REL"), "Relationship Manager"),
        "Requester": (names(rng, 20_000, " R"), "Requester"),
    }
    frame = {c: pd.Series(values[rng.integers(0, len(values), rows)], dtype="str") for c, (values, _) in columns.items()}
    frame["Issue Title"] = pd.Series(titles(rng, rows, columns["Resolved By Name"][0], 200_000), dtype="str")
    frame["product"] = pd.Series(rng.choice(["ACME_FINANCE", "ACME_BULK_SMS", "ACME_NFC"], rows), dtype="str")
    frame["frt_seconds"] = rng.exponential(3600, rows)
    start = np.datetime64("2025-07-01", "us")
    for i in range(4):  # pad to the seed's 37 columns: 4 timestamps, 10 numbers, 15 categories
        frame[f"timestamp_{i}"] = start + rng.integers(0, 150 * 86400, rows).astype("timedelta64[s]")
    for i in range(10):
        frame[f"number_{i}"] = rng.integers(-100, 100_000, rows)
    for i in range(15):
        frame[f"category_{i}"] = pd.Series(rng.choice([f"VALUE_{j}" for j in range(12)], rows), dtype="str")
    return pd.DataFrame(frame), {c: label for c, (_, label) in columns.items()}


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<38} {time.perf_counter() - start:6.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=20_000, help="rows written to XLSX (it is slow)")
    args = parser.parse_args()
    frame, personal = timed(f"build {args.rows:,} synthetic rows", lambda: build(args.rows))
    plan = an.default_plan(frame.columns, personal, ("Issue Title",), "product",
                           an.strip_vendor_prefix_preset(frame["product"]))
    key = an.Key(b"bench-key-" * 4)
    out = timed("anonymize (numbered tokens)", lambda: an.anonymize(frame, plan))
    out = timed("anonymize (keyed tokens)", lambda: an.anonymize(frame, plan, key))
    report = timed("leak_check", lambda: an.leak_check(out.clean, out.originals))
    print(f"  {report.message()}")
    timed("to_csv_bytes", lambda: ex.to_csv_bytes(out.clean))
    timed("to_parquet_bytes", lambda: ex.to_parquet_bytes(out.clean))
    timed(f"to_xlsx_bytes ({args.xlsx_rows:,} rows)", lambda: ex.to_xlsx_bytes(out.clean.head(args.xlsx_rows)))


if __name__ == "__main__":
    main()
