"""analyze's text ends with the data-quality report: what the file and the figures left out, as the app's tab.

QA: on a US export whose resolution column was read the wrong way round, analyze printed
"0 of 0 tier events breached (-)" and not a word about why; the app said it on its Data quality tab.
"""
from __future__ import annotations

from pathlib import Path

from core import cli

ROWS = """\
issue_tracker,escalation_level,timeline_status,event_timestamp,resolution_timestamp,priority_level
A,TIER_1,OPEN,2025-08-04 09:00:00,,HIGH
A,TIER_1,IN_PROGRESS,2025-08-04 09:40:00,2025-08-04 08:00:00,HIGH
A,TIER_1,IN_PROGRESS,2025-08-04 09:40:00,2025-08-04 08:00:00,HIGH
,TIER_1,OPEN,2025-08-05 09:00:00,,HIGH
B,TIER_1,OPEN,not a date,,HIGH
"""


def _analyze(tmp_path: Path, capsys, text: str) -> str:
    path = tmp_path / "export.csv"
    path.write_text(text)
    assert cli.main(["analyze", str(path)]) == 0
    return capsys.readouterr().out


def test_the_text_ends_with_every_finding_and_what_the_figures_left_out(tmp_path: Path, capsys) -> None:
    out = _analyze(tmp_path, capsys, ROWS)
    section = out[out.index("Data quality ("):]
    assert "[info] Exact duplicate rows removed" in section and ": 1 (rows 4)" in section
    assert "[error] Rows without a ticket id: left out of every figure: 1 (rows 5)" in section
    assert "[warning] Dates that could not be read in 'event_timestamp': 1 (rows 6)" in section
    assert "left out of time in tier: 1" in section  # the negative time in tier (resolved before the wait)
    assert "header_renamed" not in section


def test_a_clean_file_says_there_is_nothing_to_report(tmp_path: Path, capsys) -> None:
    clean = ROWS.splitlines()[:2] + ["A,TIER_1,IN_PROGRESS,2025-08-04 09:40:00,2025-08-04 10:00:00,HIGH"]
    out = _analyze(tmp_path, capsys, "\n".join(clean) + "\n")
    assert out.rstrip().endswith("Data quality: nothing to report.")
