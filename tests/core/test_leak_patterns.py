"""The leak check finds e-mail addresses, phone numbers and links in every text cell, with
the scrubber's own patterns, whatever the column's plan action (QA finding 1)."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import anonymize as an
from core import cli, pipeline, privacy, sample

EMAIL = "alice.w@greenfield.ac.ke"
PHONE = "+254 712 345678"
QA_CSV = (
    "ticket id,event time,status,tier,priority,agent,issue title\n"
    f"T1,2025-07-01 09:00:00,Open,Tier 1,High,Grace Wanjiru,Contact {EMAIL}\n"
    "T1,2025-07-01 09:20:00,In Progress,Tier 1,High,Grace Wanjiru,Printer broken\n"
    f"T2,2025-07-02 10:00:00,Open,Tier 1,Low,Sean Otieno,Call Mary Njeri on {PHONE} about fees\n"
)
KEEP_TITLE = '[actions]\n"issue title" = "keep"\n'
SECRETS = ("alice", "greenfield", "712", "345678", "Mary", "Njeri")


def no_secret(text: str) -> bool:
    return not any(s.lower() in text.lower() for s in SECRETS)


def prepared_qa():
    return pipeline.prepare(QA_CSV.encode(), "export.csv")


def test_kept_title_with_email_and_phone_fails_the_check() -> None:
    cleaned = privacy.clean(prepared_qa(), plan_toml=KEEP_TITLE)
    assert cleaned.plan.actions["issue title"] is an.Action.KEEP
    leaks = cleaned.leaks
    assert not leaks.clean
    assert leaks.columns == {"issue title": 2}
    assert leaks.kinds == {"issue title": {"email": 1, "phone": 1}}
    assert leaks.hits == (("issue title", 2), ("issue title", 4))  # spreadsheet rows of the clean file
    message = leaks.message()
    assert message == ("2 cells still hold personal data ('issue title': 2 cells, e-mail addresses in 1, "
                       "phone numbers in 1); first rows: 2, 4.")
    assert no_secret(message)


def test_scrubbed_title_passes() -> None:
    cleaned = privacy.clean(prepared_qa())
    assert cleaned.plan.actions["issue title"] is an.Action.SCRUB
    assert cleaned.leaks.clean, cleaned.leaks.message()
    titles = cleaned.anonymized.clean["issue title"].tolist()
    assert titles[0] == "Contact [EMAIL]" and "[PHONE]" in titles[2]


def test_cli_clean_exits_3_on_a_kept_title(tmp_path, capsys) -> None:
    path, plan, out = tmp_path / "export.csv", tmp_path / "plan.toml", tmp_path / "clean.csv"
    path.write_text(QA_CSV, encoding="utf-8")
    plan.write_text(KEEP_TITLE, encoding="utf-8")
    code = cli.main(["clean", str(path), "--out", str(out), "--plan", str(plan)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert not out.exists()
    assert "'issue title'" in err and "e-mail addresses in 1" in err and "phone numbers in 1" in err
    assert no_secret(err)


@pytest.mark.parametrize("kind, cell", [
    ("email", "Contact alice.w@greenfield.ac.ke"),
    ("email", "MAIL: J.O'NEIL+X@MAIL.CO.KE"),
    ("phone", "Call Mary Njeri on +254 712 345678 about fees"),
    ("phone", "ring 0712 345 678"),
    ("phone", "0712345678"),  # a local mobile number without separators
    ("phone", "(555) 123-4567"),
    ("phone", "+44 20 7946 0958."),
    ("phone", "on 2025-07-16 call 0712 345 678"),  # a date first does not hide the phone after it
    ("link", "see https://portal.example.com/tickets/55"),
    ("link", "HTTP://UP.CASE.EXAMPLE/x"),
    ("link", "Www.example.org"),
    ("link", "https://alice:pw@files.example.com/x"),  # user info in a link: one link
])
def test_patterns_found(kind, cell) -> None:
    report = an.leak_check(pd.DataFrame({"c": [cell]}), [])
    assert report.kinds == {"c": {kind: 1}}, report.message()


# Cells that must not count: ids, dates, amounts, timestamps, ticket numbers, durations.
NOT_PHONES = [
    "123456789", "12345678901", "0012345678", "ID 004521", "id 123456", "20250716",
    "2025-07-16", "2025-07-16 10:11:12", "2025-07-16T10:11:12+03:00", "2025-07-16 10:11:12.123456",
    "16-07-2025 10:11", "16-07-2025 10:11:12", "07.12.2025", "16/07/2025 10:11:12", "7/16/2025 9:05 PM",
    "1234567.50", "-1234567.5", "1,234,567.00", "KES 1,234,567", "1.234.567,50", "1.234.567", "3600.5",
    "INC0012345678", "TCK-0012345678", "#0712345678", "REQ/2025/0012345", "ticket 12345678",
    "152h 43m 25s", "34:27:00", "1 day 10:27:00", "Agent 12", "School 3",
    "[EMAIL]", "[PHONE]", "[URL]", "at @ sign", "a @ b", "",
]


def test_ids_dates_amounts_and_ticket_numbers_are_not_phones() -> None:
    frame = pd.DataFrame({"c": NOT_PHONES})
    report = an.leak_check(frame, [])
    assert report.clean, [NOT_PHONES[r - 2] for _, r in report.hits]


def test_numeric_and_date_columns_are_not_scanned() -> None:
    frame = pd.DataFrame({"n": [712345678, 254712345678], "f": [712345678.0, 1.5],
                          "d": pd.to_datetime(["2025-07-16 10:11:12", None])})
    report = an.leak_check(frame, [])
    assert report.clean and report.cells_scanned == 0


@pytest.mark.parametrize("dtype", ["str", object, "category"])
def test_kinds_counted_per_cell_and_column(dtype) -> None:
    frame = pd.DataFrame({
        "a": pd.Series(["ok", "x@y.org and 0712 345 678", None, "x@y.org and 0712 345 678", "Zoe Ng"], dtype=dtype),
        "b": pd.Series(["www.x.org", "fine", "fine", None, "fine"], dtype=dtype),
    })
    report = an.leak_check(frame, ["Zoe Ng"])
    assert report.columns == {"a": 3, "b": 1} and report.found == 4
    assert report.kinds == {"a": {"value": 1, "email": 2, "phone": 2}, "b": {"link": 1}}
    assert report.hits == (("b", 2), ("a", 3), ("a", 5), ("a", 6))
    assert ("'a': 3 cells, values of personal columns in 1, e-mail addresses in 2, phone numbers in 2"
            in report.message())
    assert an.leak_check(frame, ["Zoe Ng"], patterns=False).columns == {"a": 1}


def test_one_cell_reads_as_one() -> None:
    message = an.leak_check(pd.DataFrame({"c": ["x@y.org"]}), []).message()
    assert message.startswith("1 cell still holds personal data ('c': 1 cell, e-mail addresses in 1)")


TEXT = st.text(alphabet="0123456789 +-().@:/#whtp.abcxyzTW\u0663", max_size=40)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=8))
def test_the_check_finds_exactly_what_the_scrubber_replaces(texts) -> None:
    """One definition: a text is flagged when scrubbing would change it, and scrubbed text passes."""
    report = an.leak_check(pd.DataFrame({"t": texts}), [])
    flagged = {r - 2 for _, r in report.hits}
    assert flagged == {i for i, t in enumerate(texts) if an.scrub_text(t) != t}
    assert an.leak_check(pd.DataFrame({"t": [an.scrub_text(t) for t in texts]}), []).clean


def test_sample_export_passes_with_the_default_plan() -> None:
    prepared = pipeline.prepare(sample.sample_csv_bytes(), "sample.csv")
    raw = an.leak_check(prepared.typed, [])
    assert raw.kinds["Issue Title"].keys() == {"email", "phone"}  # the check has something to find
    cleaned = privacy.clean(prepared)
    assert cleaned.leaks.clean, cleaned.leaks.message()


@pytest.mark.slow
def test_real_export_passes_with_the_default_plan(seed_bytes) -> None:
    prepared = pipeline.prepare(seed_bytes, "anonymized_portfolio_data.xlsx")
    cleaned = privacy.clean(prepared)
    assert cleaned.leaks.clean, cleaned.leaks.message()
    assert cleaned.leaks.cells_scanned > 300_000
