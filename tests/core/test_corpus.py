"""Every corpus case through core.ingest and core.pipeline: parsed as expected or refused with its message."""
from __future__ import annotations

import pandas as pd
import pytest

from core import dates, ingest, metrics, pipeline, xlsx
from core.ingest import DEFAULT_LIMITS, InputError
from tests.corpus import CASES, CASES_BY_NAME, MARKER, Case, Parsed, Rejected


def _params(cases: list[Case]) -> list:
    return [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [])
            for c in cases]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert sum(isinstance(c.expect, Rejected) for c in CASES) >= 15
    assert sum(c.excel_attack for c in CASES) >= 6


@pytest.mark.parametrize("case", _params(CASES))
def test_case(case: Case) -> None:
    data = case.make_bytes()
    limits = case.limits or DEFAULT_LIMITS
    if isinstance(case.expect, Rejected):
        _check_rejected(case, data, limits)
    else:
        _check_parsed(case.expect, data, case.filename, limits)


def _check_rejected(case: Case, data: bytes, limits: ingest.Limits) -> None:
    expect = case.expect
    assert isinstance(expect, Rejected)
    if expect.stage == "pipeline":
        ingest.read_table(data, case.filename, limits=limits)  # reading succeeds; the roles are missing
    with pytest.raises(InputError, match=expect.message) as err:
        pipeline.prepare(data, case.filename, limits=limits)
    message = str(err.value)
    assert MARKER not in message and "\n" not in message.strip()
    assert message[:1].isupper() and message.rstrip().endswith("."), message


def _check_parsed(expect: Parsed, data: bytes, filename: str, limits: ingest.Limits) -> None:
    raw = ingest.read_table(data, filename, limits=limits)
    frame = raw.frame
    if expect.rows is not None:
        assert len(frame) == expect.rows
    if expect.columns is not None:
        assert tuple(frame.columns) == expect.columns
    for col, dtype in expect.dtypes.items():
        assert str(frame[col].dtype) == dtype, col
    for col, values in expect.values.items():
        assert [None if pd.isna(v) else v for v in frame[col].tolist()] == values, col
    for attr, value in expect.raw.items():
        got = getattr(raw, attr)
        assert (got.tolist() if hasattr(got, "tolist") else got) == value, attr
    for col, wanted in expect.dates.items():
        values = frame[col]
        parsed, report = dates.parse_datetime_column(
            values, source_rows=raw.source_rows, tz=expect.tz, column=col,
            serials=pd.api.types.is_numeric_dtype(values.dtype), epoch1904=raw.epoch1904)
        got = [None if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S") for v in parsed]
        assert got == wanted, (col, report)
        if col in expect.order:
            assert report.order == expect.order[col], report
        if col in expect.failed:
            assert report.failed == expect.failed[col], report
    if expect.events is None:
        return
    prepared = pipeline.prepare(data, filename, limits=limits)
    assert len(prepared.events) == expect.events
    counts = {f.kind: f.count for f in prepared.quality.findings}
    for kind, n in expect.findings.items():
        assert counts.get(kind, 0) == n, (kind, counts)
    if expect.quality:
        dash = metrics.compute_dashboard(prepared.events)
        for kind, n in expect.quality.items():
            assert dash.quality_counts.get(kind, 0) == n, (kind, dash.quality_counts)
    if expect.check is not None:
        expect.check(prepared)


def test_caps_are_checked_before_parsing(monkeypatch) -> None:
    """Over-cap files are refused without the CSV parser or the Excel reader ever running."""
    def never(*args, **kwargs):
        raise AssertionError("the file was parsed before its size was checked")

    monkeypatch.setattr(ingest, "_arrow_csv", never)
    monkeypatch.setattr(xlsx, "_calamine_rows", never)
    for name in ("delimiters beyond the cell cap", "just over the size limit", "garbage over the size limit",
                 "far cell declared", "far cell undeclared", "far cell by position (no r attributes)", "zip bomb", "zip bomb with lying sizes",
                 "workbook declaring more rows than the limit", "too many columns"):
        case = CASES_BY_NAME[name]
        with pytest.raises(InputError, match=case.expect.message):
            ingest.read_table(case.make_bytes(), case.filename, limits=case.limits or DEFAULT_LIMITS)
