"""A kept column of people under a header TierLens does not know is warned about (QA privacy pass):
the leak check cannot prove it (no personal column names them), so it is a warning, never a pass."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from core import anonymize, cli, pipeline, privacy, sample

CSV = """\
ticket_id,event_timestamp,timeline_status,escalation_level,priority_level,Handler,County
T1,2025-08-04 09:00:00,OPEN,TIER_1,HIGH,Kevin Omondi,Nairobi County
T1,2025-08-04 09:10:00,IN_PROGRESS,TIER_1,HIGH,Kevin Omondi,Nairobi County
T2,2025-08-04 10:00:00,OPEN,TIER_1,HIGH,Lucy Njoroge,Nyeri County
T2,2025-08-04 10:10:00,IN_PROGRESS,TIER_1,HIGH,"Kamau, Esther",Kiambu County
T3,2025-08-04 11:00:00,OPEN,TIER_1,HIGH,Agent 7,Meru
"""


def test_a_kept_column_of_names_is_reported_with_counts_and_places_are_not() -> None:
    p = pipeline.prepare(CSV.encode(), "x.csv")
    assert "Handler" not in p.mapping.personal  # a header TierLens does not know
    leaks = privacy.clean(p).leaks
    assert leaks.clean and leaks.name_like == {"Handler": (3, 4)}
    message = leaks.name_like_message()
    assert "'Handler' (3 of 4 distinct values)" in message and "Omondi" not in message


def test_the_sample_and_a_tokenized_column_give_no_warning() -> None:
    p = pipeline.prepare(sample.sample_csv_bytes(n_tickets=200), sample.SAMPLE_FILENAME)
    assert privacy.clean(p).leaks.name_like == {}
    frame = pd.DataFrame({"Agent": ["Kevin Omondi", "Lucy Njoroge", "Esther Kamau"]})
    assert anonymize.name_like_columns(frame, []) == {}  # only the kept columns are looked at


def test_clean_warns_on_stderr_and_in_its_json_and_keeps_exit_0(tmp_path: Path, capsys) -> None:
    src = tmp_path / "x.csv"
    src.write_text(CSV)
    assert cli.main(["clean", str(src), "--out", str(tmp_path / "c.csv"), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["name_like_columns"] == {"Handler": {"name_like": 3, "distinct": 4}}
    assert "warning: Kept as is, but their values look like people's names: 'Handler'" in captured.err
