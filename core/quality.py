"""The data-quality report: every row that is dropped, excluded or doubtful, counted with its row numbers."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

MAX_ROWS_LISTED = 1000


@dataclass(frozen=True)
class Finding:
    """One kind of problem: how many rows it touches and which (spreadsheet row numbers)."""

    kind: str
    column: str
    count: int
    rows: tuple[int, ...]
    message: str
    severity: str = "warning"  # "info" | "warning" | "error"


@dataclass(frozen=True)
class QualityReport:
    """What happened to the upload's rows on the way to the figures."""

    rows_read: int
    duplicates_removed: int
    rows_used: int
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    def with_findings(self, *more: Finding) -> "QualityReport":
        """A copy with more findings appended (findings with a zero count are skipped)."""
        kept = tuple(f for f in more if f.count)
        return QualityReport(self.rows_read, self.duplicates_removed, self.rows_used, self.findings + kept)

    def count(self, kind: str) -> int:
        """Total rows of one kind of finding (0 when absent)."""
        return sum(f.count for f in self.findings if f.kind == kind)

    def counts(self) -> dict[str, int]:
        """Plain counts for JSON output: rows and one entry per finding kind (and column)."""
        out: dict[str, int] = {
            "rows_read": self.rows_read,
            "duplicates_removed": self.duplicates_removed,
            "rows_used": self.rows_used,
        }
        for f in self.findings:
            key = f"{f.kind}:{f.column}" if f.column else f.kind
            out[key] = out.get(key, 0) + f.count
        return out

    def table(self) -> pd.DataFrame:
        """One row per finding, for display: what, where, how many, first row numbers."""
        return pd.DataFrame(
            {
                "severity": [f.severity for f in self.findings],
                "what": [f.message for f in self.findings],
                "column": [f.column for f in self.findings],
                "rows": [f.count for f in self.findings],
                "first row numbers": [", ".join(map(str, f.rows[:20])) for f in self.findings],
            }
        )


def rows_of(source_rows, mask) -> tuple[int, ...]:
    """The first MAX_ROWS_LISTED source row numbers where ``mask`` is true."""
    picked = pd.Series(source_rows)[pd.Series(mask, dtype=bool).to_numpy()]
    return tuple(int(r) for r in picked.head(MAX_ROWS_LISTED))
