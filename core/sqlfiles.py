"""Load the named SQL queries in ``sql/`` and the facts their headers declare."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_READS = re.compile(r"^--\s*reads:\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Query:
    """One query file: its name, text, the `$parameters` it binds and the tables it reads."""

    name: str
    text: str
    params: tuple[str, ...]
    reads: tuple[str, ...]


def names() -> tuple[str, ...]:
    """Every query name (file stem in ``sql/``), sorted."""
    return tuple(sorted(p.stem for p in SQL_DIR.glob("*.sql")))


@lru_cache(maxsize=None)
def load(name: str) -> Query:
    """The query ``sql/<name>.sql``; KeyError when there is none.

    The header line ``-- reads: a, b`` names the tables the query needs.

    >>> load("tier_events").reads
    ('events', 'allowances', 'work_days')
    """
    path = SQL_DIR / f"{name}.sql"
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or not path.is_file():
        raise KeyError(f"no query named {name!r} in {SQL_DIR}")
    text = path.read_text(encoding="utf-8")
    body = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    reads = _READS.search(text)
    return Query(
        name=name,
        text=text,
        params=tuple(dict.fromkeys(_PARAM.findall(body))),
        reads=tuple(r.strip() for r in reads.group(1).split(",")) if reads else ("events",),
    )


def sql_text(name: str) -> str:
    """The query's text as written, for "How is this computed?"."""
    return load(name).text
