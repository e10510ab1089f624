"""The chain from bytes to the contract events table and quality report (core.pipeline, core.privacy)."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from core import contract, dates, ingest, metrics, pipeline, privacy, sample, schema

HEADER = "ticket id,event time,status,tier,priority,agent,agent team,product\n"


def _csv(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def test_events_follow_the_contract_and_keep_row_numbers() -> None:
    data = _csv(["T1,2025-07-01 09:00:00,Open,Tier 1,High,Ann Lee,CX,A",
                 "T1,2025-07-01 09:10:00,In Progress,Tier 1,High,Ann Lee,CX,A"])
    p = pipeline.prepare(data, "x.csv")
    contract.validate(p.events)
    assert p.events["source_row"].tolist() == [2, 3]
    assert p.events["status"].tolist() == ["OPEN", "IN_PROGRESS"]
    assert p.events["tier"].tolist() == ["TIER_1", "TIER_1"]
    assert p.events["priority"].tolist() == ["HIGH", "HIGH"]


def test_join_fanout_copies_are_removed_and_counted() -> None:
    """The same event repeated with another agent (a join fan-out) counts once; the first copy is kept."""
    data = _csv(["T1,2025-07-01 09:00:00,Open,Tier 1,High,Ann Lee,CX,A",
                 "T1,2025-07-01 09:00:00,Open,Tier 1,High,Bob Otieno,TECH,A",
                 "T1,2025-07-01 09:00:00,Open,Tier 1,High,Ann Lee,CX,A",
                 "T1,2025-07-01 09:10:00,In Progress,Tier 1,High,Ann Lee,CX,A"])
    p = pipeline.prepare(data, "x.csv")
    assert p.quality.rows_read == 4
    assert p.quality.count("exact_duplicates_removed") == 1
    assert p.quality.count("fanout_duplicates_removed") == 1
    assert p.quality.duplicates_removed == 2
    assert p.events["agent"].tolist() == ["Ann Lee", "Ann Lee"]
    assert len(p.typed) == len(p.typed_rows) == 2


def test_rows_without_ticket_or_time_are_excluded_and_listed() -> None:
    data = _csv(["T1,2025-07-01 09:00:00,Open,Tier 1,High,A,CX,P",
                 ",2025-07-01 09:05:00,Open,Tier 1,High,A,CX,P",
                 "T2,not a date,Open,Tier 1,High,A,CX,P"])
    p = pipeline.prepare(data, "x.csv")
    assert len(p.events) == 1
    assert p.quality.count("excluded_no_ticket_id") == 1
    assert p.quality.count("excluded_no_event_time") == 1
    no_time = next(f for f in p.quality.findings if f.kind == "excluded_no_event_time")
    assert no_time.rows == (4,)
    assert p.quality.rows_used == 1


def test_unknown_status_values_are_listed_not_dropped() -> None:
    data = _csv(["T1,2025-07-01 09:00:00,Frobnicated,Tier 1,High,A,CX,P",
                 "T1,2025-07-01 09:10:00,In Progress,Tier 1,High,A,CX,P"])
    p = pipeline.prepare(data, "x.csv")
    assert len(p.events) == 2
    assert p.events["status"].isna().sum() == 1
    finding = next(f for f in p.quality.findings if f.kind == "unknown_status")
    assert finding.count == 1 and finding.rows == (2,)


def test_missing_ticket_column_is_a_clear_input_error() -> None:
    data = b"colour,size\nred,3\nblue,4\n"
    with pytest.raises(ingest.InputError, match="No column was recognised as the .*column mapping"):
        pipeline.prepare(data, "x.csv")


def test_remapping_starts_again_from_the_whole_ingest_result() -> None:
    data = _csv(["T1,2025-07-01 09:00:00,Open,Tier 1,High,Ann Lee,CX,A",
                 "T1,2025-07-01 09:00:00,Open,Tier 1,High,Bob Otieno,TECH,A"])
    first = pipeline.prepare(data, "x.csv")
    again = pipeline.prepare_from_raw(first.raw, first.mapping)
    assert again.quality.duplicates_removed == first.quality.duplicates_removed == 1


def test_sample_export_prepares_and_anonymizes_without_leaks() -> None:
    p = pipeline.prepare(sample.sample_csv_bytes(n_tickets=300), sample.SAMPLE_FILENAME)
    assert p.quality.count("exact_duplicates_removed") > 0
    assert all(r.failed == 0 for r in p.dates)
    cleaned = privacy.clean(p)
    assert cleaned.leaks.found == 0
    agents = set(p.events["agent"].dropna())
    assert not agents & set(cleaned.anonymized.events["agent"].dropna())
    assert cleaned.anonymized.events["agent"].dropna().str.startswith("Agent ").all()


def test_background_clean_gives_the_same_result_as_the_plain_one() -> None:
    p = pipeline.prepare(sample.sample_csv_bytes(n_tickets=200), sample.SAMPLE_FILENAME)
    plain, background = privacy.clean(p), privacy.clean(p, background=True)
    pd.testing.assert_frame_equal(background.events, plain.events)
    assert "ready=" in repr(background) and "Agent" not in repr(background)  # repr never waits or shows values
    pd.testing.assert_frame_equal(background.anonymized.clean, plain.anonymized.clean)
    assert background.anonymized.events is background.events
    assert background.leaks == plain.leaks and background.plan_id == plain.plan_id


def test_the_background_part_waits_for_start_and_runs_once_in_its_own_thread(monkeypatch) -> None:
    import threading

    from core import anonymize

    real, threads = anonymize._anonymize_wide, []
    gate = threading.Event()

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(anonymize, "_anonymize_wide", recorded)
    p = pipeline.prepare(sample.sample_csv_bytes(n_tickets=30), sample.SAMPLE_FILENAME)
    cleaned = privacy.clean(p, background=True)
    assert threads == [] and not cleaned.ready  # nothing runs before start(): the dashboards go first
    cleaned.start()
    cleaned.start()  # a second start does nothing
    for _ in range(1000):
        if threads:
            break
        threading.Event().wait(0.01)
    assert threads == ["tierlens-clean"] and not cleaned.ready
    gate.set()
    assert cleaned.leaks.found == 0 and cleaned.ready
    _ = cleaned.anonymized
    assert threads == ["tierlens-clean"]  # done once


def test_the_background_part_runs_where_it_is_first_needed_when_never_started(monkeypatch) -> None:
    import threading

    from core import anonymize

    real, threads = anonymize._anonymize_wide, []
    monkeypatch.setattr(anonymize, "_anonymize_wide",
                        lambda *a, **k: threads.append(threading.current_thread().name) or real(*a, **k))
    p = pipeline.prepare(sample.sample_csv_bytes(n_tickets=30), sample.SAMPLE_FILENAME)
    cleaned = privacy.clean(p, background=True)
    assert cleaned.leaks.found == 0 and cleaned.ready
    assert threads == [threading.current_thread().name]
    cleaned.start()  # already done: no second run
    assert len(threads) == 1


def test_a_failure_in_the_background_part_is_raised_to_whoever_waits(monkeypatch) -> None:
    from core import anonymize

    def broken(*args, **kwargs):
        raise RuntimeError("scrubbing failed")

    p = pipeline.prepare(sample.sample_csv_bytes(n_tickets=30), sample.SAMPLE_FILENAME)
    monkeypatch.setattr(anonymize, "_anonymize_wide", broken)
    cleaned = privacy.clean(p, background=True)
    assert len(cleaned.events) == len(p.events)  # the events part finished before the thread started
    cleaned.start()
    with pytest.raises(RuntimeError, match="scrubbing failed"):
        _ = cleaned.leaks
    with pytest.raises(RuntimeError, match="scrubbing failed"):
        privacy.clean(p)  # without a thread it is raised at once


def test_a_corrected_mapping_keeps_the_users_plan_choices() -> None:
    from dataclasses import replace

    from core.anonymize import Action

    before = pipeline.prepare(sample.sample_csv_bytes(n_tickets=40), sample.SAMPLE_FILENAME)
    chosen = (privacy.default_plan(before)
              .with_action("Issue Title", "drop")                          # a default (scrub) changed
              .with_action("Region", "tokenize", label="Area")              # a kept column tokenized
              .with_action("School Name", "tokenize", label="Customer"))    # a token label renamed
    # the user then says County is personal too, and Regional Manager Name is not
    personal = {**before.mapping.personal, "County": "County"}
    personal.pop("Regional Manager Name")
    after = pipeline.prepare_from_raw(before.raw, replace(before.mapping, personal=personal))
    plan = privacy.carried_plan(chosen, before, after)
    assert plan.actions["Issue Title"] is Action.DROP
    assert (plan.actions["Region"], plan.labels["Region"]) == (Action.TOKENIZE, "Area")
    assert plan.labels["School Name"] == "Customer"
    assert plan.actions["County"] is Action.TOKENIZE          # untouched: the new default
    assert plan.actions["Regional Manager Name"] is Action.KEEP  # untouched: the new default
    assert set(plan.actions) == set(after.typed.columns)
    assert privacy.clean(after, plan=plan).leaks.found == 0


def test_keyed_tokens_change_the_plan_id_but_never_show_the_key() -> None:
    p = pipeline.prepare(sample.sample_csv_bytes(n_tickets=50), sample.SAMPLE_FILENAME)
    a, b = privacy.clean(p), privacy.clean(p, key=b"k" * 32)
    assert a.plan_id != b.plan_id
    assert "kkkk" not in repr(b) and "kkkk" not in b.plan_id


def test_seed_export_end_to_end(seed_bytes: bytes) -> None:
    """The real export: every role mapped, BOM header fixed, 1,546 duplicates found, every timestamp parsed."""
    p = pipeline.prepare(seed_bytes, "anonymized_portfolio_data.xlsx")
    roles = p.mapping.roles
    for role in ("ticket_id", "event_time", "status", "tier", "priority", "work_resolved_time",
                 "first_response_time", "created_time", "product", "issue_type", "issue_category",
                 "issue_status", "region", "country", "client", "agent"):
        assert roles[role], role
    assert "Sub Module" in p.typed.columns and "Sub Module (2)" in p.typed.columns
    assert p.quality.rows_read == 16194
    assert p.quality.duplicates_removed == 1546
    assert all(r.failed == 0 for r in p.dates)
    assert p.events["ticket_id"].nunique() == 2227
    cleaned = privacy.clean(p)
    assert cleaned.leaks.found == 0


def test_a_one_row_per_ticket_export_feeds_the_same_contract() -> None:
    data = ("Ticket ID,Subject,Requester,Assignee,Group,Priority,Status,Created at,First responded at,Solved at,Closed at\n"
            "101,Printer,Ann Lee,Bob Otieno,Tier 1,High,Closed,2025-07-01 09:00,2025-07-01 09:20,2025-07-01 12:00,2025-07-02 09:00\n"
            "102,VPN,Carl Diaz,Bob Otieno,Tier 2,Low,Solved,2025-07-02 10:00,2025-07-03 10:00,2025-07-04 10:00,\n").encode()
    p = pipeline.prepare(data, "zendesk.csv")
    assert p.mapping.shape == "tickets"
    contract.validate(p.events)
    t101 = p.events[p.events["ticket_id"] == "101"]
    assert t101["status"].tolist() == ["OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED"]
    assert set(t101["source_row"]) == {2}
    assert set(p.events.loc[p.events["ticket_id"] == "102", "source_row"]) == {3}


def test_a_text_role_on_a_date_column_holds_the_dates_read_not_the_cells_as_typed() -> None:
    # The events' text columns are made beside the date parsing, from the columns as read; one whose
    # column is also a date role waits for the dates (as it always did), so it shows them as read.
    data = _csv(["T1,01/07/2025 09:00,Open,Tier 1,High,Ann Lee,CX,A",
                 "T1,01/07/2025 09:10,In Progress,Tier 1,High,Ann Lee,CX,A"])
    first = pipeline.prepare(data, "x.csv")
    roles = {**first.mapping.roles, "product": first.mapping.roles["event_time"]}
    p = pipeline.prepare_from_raw(first.raw, dataclasses.replace(first.mapping, roles=roles))
    assert p.events["product"].tolist() == ["2025-07-01 09:00:00", "2025-07-01 09:10:00"]
    assert p.events["event_time"].tolist() == [pd.Timestamp("2025-07-01 09:00"), pd.Timestamp("2025-07-01 09:10")]


def test_the_events_text_columns_are_the_same_made_beside_the_dates_or_after() -> None:
    p = pipeline.prepare(sample.sample_csv_bytes(n_tickets=200), sample.SAMPLE_FILENAME)
    after, _ = pipeline._build_events(p.typed, p.typed_rows, p.mapping)
    pd.testing.assert_frame_equal(after, p.events)


US_HEADER = "Ticket ID,Event Time,Status,Tier,Priority,Work Ended At\n"
# Event Time shows month-first (16 and 20 can only be days); no 'Work Ended At' value has a day above 12.
US_ROWS = ["U1,08/16/2025 09:00,Open,Tier 1,High,",
           "U1,08/16/2025 09:10,In Progress,Tier 1,High,09/02/2025 09:25",
           "U2,08/20/2025 10:00,Open,Tier 1,Medium,",
           "U2,08/20/2025 11:00,In Progress,Tier 1,Medium,09/05/2025 10:00"]


def _dates_of(p: pipeline.Prepared) -> dict[str, object]:
    return {r.column: r for r in p.dates}


def test_a_column_the_values_cannot_decide_takes_the_order_the_files_other_dates_show() -> None:
    p = pipeline.prepare((US_HEADER + "\n".join(US_ROWS) + "\n").encode(), "us.csv")
    work = _dates_of(p)["Work Ended At"]
    assert (work.order, work.inferred_from) == ("month-first", ("Event Time",))
    assert "like 'Event Time'" in work.note
    assert p.events["work_resolved_time"].dropna().tolist() == [pd.Timestamp("2025-09-02 09:25"),
                                                               pd.Timestamp("2025-09-05 10:00")]
    assert [(f.kind, f.severity) for f in p.quality.findings if f.kind.startswith("dates_")] == [
        ("dates_order_from_file", "info")]
    tier_s = sorted(metrics.compute_dashboard(p.events).tier_events["tier_s"].tolist())
    assert tier_s == sorted((pd.Timestamp(end) - pd.Timestamp(start)).total_seconds() for start, end in
                            (("2025-08-16 09:00", "2025-09-02 09:25"), ("2025-08-20 10:00", "2025-09-05 10:00")))


def test_a_day_first_file_keeps_reading_its_undecided_column_day_first_and_says_why() -> None:
    rows = ["U1,16/07/2025 09:00,Open,Tier 1,High,", "U1,16/07/2025 09:10,In Progress,Tier 1,High,05/08/2025 09:25"]
    p = pipeline.prepare((US_HEADER + "\n".join(rows) + "\n").encode(), "x.csv")
    work = _dates_of(p)["Work Ended At"]
    assert (work.order, work.inferred_from) == ("day-first", ("Event Time",))
    assert p.events["work_resolved_time"].dropna().tolist() == [pd.Timestamp("2025-08-05 09:25")]


def test_columns_that_disagree_or_a_users_choice_on_the_column_leave_it_as_it_was() -> None:
    header = "Ticket ID,Event Time,Status,Tier,Priority,Work Ended At,Created\n"
    rows = ["U1,16/07/2025 09:00,Open,Tier 1,High,,07/16/2025 08:00",  # day-first event time, month-first created
            "U1,16/07/2025 09:10,In Progress,Tier 1,High,05/08/2025 09:25,07/16/2025 08:00"]
    p = pipeline.prepare((header + "\n".join(rows) + "\n").encode(), "x.csv")
    assert {c: r.order for c, r in _dates_of(p).items()} == {
        "Event Time": "day-first", "Work Ended At": "ambiguous", "Created": "month-first"}
    assert not _dates_of(p)["Work Ended At"].inferred_from
    first = pipeline.prepare((US_HEADER + "\n".join(US_ROWS) + "\n").encode(), "us.csv")
    chosen = pipeline.prepare_from_raw(first.raw, schema.with_overrides(
        first.mapping, date_orders={"Work Ended At": "day-first"}))
    work = _dates_of(chosen)["Work Ended At"]
    assert (work.order, work.inferred_from) == ("day-first", ())
    assert chosen.events["work_resolved_time"].dropna().tolist()[0] == pd.Timestamp("2025-02-09 09:25")


@pytest.mark.parametrize(("values", "expected"), [
    (["a", " ", "\t", "\u00a0", "\u3000 ", "", None, " x", "É"], ["a", None, None, None, None, None, None, " x", "É"]),
    ([1.0, 2.0, None], ["1", "2", None]),
])
def test_text_blanks_become_null_whatever_the_space(values: list, expected: list) -> None:
    out = pipeline._text(pd.Series(values, dtype=object if isinstance(values[0], str) else None))
    assert [None if pd.isna(v) else v for v in out] == expected


def test_the_sample_reads_the_same_without_the_fixed_width_date_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The numpy reading of zero-padded dates (core.dates._read_fixed) changes no event, date report or finding."""
    data = sample.sample_csv_bytes(n_tickets=300)
    fast = pipeline.prepare(data, sample.SAMPLE_FILENAME)
    assert fast.dates and all(r.parsed for r in fast.dates)
    monkeypatch.setattr(dates, "_fixed_layout", lambda strptime: None)  # strptime, its checks and DuckDB alone
    slow = pipeline.prepare(data, sample.SAMPLE_FILENAME)
    pd.testing.assert_frame_equal(fast.events, slow.events)
    assert fast.dates == slow.dates and fast.quality == slow.quality
