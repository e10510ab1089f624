"""Synthetic exports for the benchmark: generated once per size and seed, cached in bench/data/."""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core import export, sample

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 7
# The generator writes ~7.55 rows per ticket (duplicates included); ask for a few more
# tickets than needed and keep the first n rows, so every size is exact.
ROWS_PER_TICKET = 7.3


@dataclass(frozen=True)
class Dataset:
    """One cached file: its path, kind (csv | xlsx), row count and seed."""

    label: str
    path: Path
    kind: str
    events: int
    seed: int

    @property
    def filename(self) -> str:
        return self.path.name

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


def parse_size(label: str) -> int:
    """'100k' -> 100000, '1M' -> 1000000, '2000' -> 2000.

    >>> parse_size("100k"), parse_size("1M"), parse_size("2500")
    (100000, 1000000, 2500)
    """
    text = label.strip()
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale != 1 else text
    return int(float(number) * scale)


def events_frame(n_events: int, seed: int = SEED) -> pd.DataFrame:
    """Exactly ``n_events`` rows of the sample generator's export (the last ticket may be cut short)."""
    tickets = math.ceil(n_events / ROWS_PER_TICKET) + 1
    frame = sample.generate_events(tickets, seed)
    while len(frame) < n_events:  # never expected; kept so a generator change cannot break sizes
        tickets = math.ceil(tickets * 1.1) + 1
        frame = sample.generate_events(tickets, seed)
    return frame.iloc[:n_events].reset_index(drop=True)


def _generator_digest() -> str:
    return hashlib.sha256(Path(sample.__file__).read_bytes()).hexdigest()[:12]


def _write_atomic(path: Path, writer) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    writer(tmp)
    os.replace(tmp, path)


def ensure(label: str, kind: str = "csv", seed: int = SEED, data_dir: Path = DATA_DIR,
           fresh: bool = False, log=print) -> Dataset:
    """The cached file for (size, seed, kind), generated first when missing (or when ``fresh``)."""
    n = parse_size(label)
    path = data_dir / f"events-{label}-seed{seed}.{kind}"
    meta_path = path.with_name(path.name + ".json")
    if path.exists() and meta_path.exists() and not fresh:
        meta = json.loads(meta_path.read_text())
        if meta.get("generator") != _generator_digest():
            log(f"note: {path.name} was made by an older core/sample.py; run with --fresh-data to remake it")
        return Dataset(label, path, kind, int(meta["events"]), seed)
    log(f"generating {path.name} ({n:,} events; cached for later runs) ...")
    frame = events_frame(n, seed)
    if kind == "csv":
        # the same bytes sample_csv_bytes would write for this frame
        _write_atomic(path, lambda p: frame.to_csv(p, index=False, lineterminator="\n", encoding="utf-8"))
    elif kind == "xlsx":
        _write_atomic(path, lambda p: p.write_bytes(export.to_xlsx_bytes(frame, sheet="Export")))
    else:
        raise ValueError(f"unknown kind {kind!r}: csv or xlsx")
    meta = {"events": len(frame), "seed": seed, "kind": kind, "columns": frame.shape[1],
            "bytes": path.stat().st_size, "generator": _generator_digest()}
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    return Dataset(label, path, kind, len(frame), seed)
