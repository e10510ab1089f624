"""Prepare, Overview, SLA policy and Download pages, driven through the real router with AppTest."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core import metrics, pipeline, privacy, sample
from core.durations import readable
from core.policy import Policy
from tests.pages.conftest import metric


def _sample_dashboard(flt: metrics.Filters | None = None) -> metrics.Dashboard:
    p = pipeline.prepare(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)
    events = privacy.clean(p).anonymized.events
    return metrics.compute_dashboard(events, Policy.default(), flt or metrics.Filters())


def test_overview_shows_what_core_computes(app: AppTest) -> None:
    k = _sample_dashboard().kpis.iloc[0]
    assert metric(app, "Tickets") == f"{int(k['tickets']):,}"
    assert metric(app, "Tier events") == f"{int(k['tier_events']):,}"
    assert metric(app, "Breached tier events") == f"{int(k['tier_breached']):,}"
    assert metric(app, "Breached FRT") == f"{int(k['frt_breached']):,}"
    assert metric(app, "Avg time in tier") == readable(k["tier_mean_s"])
    assert len([m for m in app.markdown if m.value.startswith("**")]) >= 3  # computed findings


def test_a_sidebar_filter_changes_the_figures(app: AppTest) -> None:
    before = metric(app, "Tickets")
    app.multiselect(key=[w.key for w in app.multiselect if w.label == "Priority"][0]).set_value(["HIGH"]).run()
    assert not app.exception
    k = _sample_dashboard(metrics.Filters(priority=("HIGH",))).kpis.iloc[0]
    assert metric(app, "Tier events") == f"{int(k['tier_events']):,}"
    assert metric(app, "Tickets") != before
    assert any("filtered: Priority: HIGH" in c.value for c in app.caption)


def test_policy_what_if_changes_breach_rates(app: AppTest) -> None:
    app.switch_page("pages/policy.py").run()
    assert not app.exception
    assert [t.value for t in app.title] == ["SLA policy"]
    pause = [m for m in app.multiselect if m.label.startswith("Time in these statuses")][0]
    pause.set_value(["ON_STANDBY", "TRIAGE", "ESCALATED", "OPEN"]).run()
    assert not app.exception
    table = [d.value for d in app.dataframe if "scope" in d.value.columns][0]
    overall = table[table["scope"] == "All tier events"].iloc[0]
    assert overall["tier SLA edited"] != overall["tier SLA now"]
    apply = [b for b in app.button if b.label == "Apply to every page"][0]
    assert not apply.disabled


def test_download_page_offers_files_and_the_leak_check(app: AppTest) -> None:
    app.switch_page("pages/download.py").run()
    assert not app.exception
    assert any("Leak check passed" in s.value for s in app.success)
    labels = [d.label for d in app.get("download_button")]
    for wanted in ("Excel (.xlsx)", "CSV", "Parquet", "Tier events and KPI summary (.xlsx)", "Token → original (CSV)"):
        assert wanted in labels, labels


def test_prepare_page_shows_mapping_dates_and_quality(app: AppTest) -> None:
    app.switch_page("pages/prepare.py").run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Prepare your data"]
    values = {m.label: m.value for m in app.metric}
    assert int(values["Duplicates removed"].replace(",", "")) > 0


def test_a_bad_upload_says_why_and_keeps_the_previous_data(app: AppTest) -> None:
    app.switch_page("pages/prepare.py").run()
    app.file_uploader[0].set_value(("tickets.csv", b"%PDF-1.7 not really a csv", "text/csv")).run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert errors and "could not be used" in errors[0] and "Still showing" in errors[0]
    app.switch_page("pages/overview.py").run()
    assert metric(app, "Tickets") == f"{int(_sample_dashboard().kpis.iloc[0]['tickets']):,}"


def test_a_good_upload_replaces_the_sample(app: AppTest) -> None:
    csv = ("ticket id,event time,status,tier,priority,agent\n"
           "A-1,2025-07-01 09:00:00,Open,Tier 1,High,Ann\n"
           "A-1,2025-07-01 10:00:00,In Progress,Tier 1,High,Ann\n"
           "A-2,2025-07-02 09:00:00,Open,Tier 1,Low,Bob\n").encode()
    app.switch_page("pages/prepare.py").run()
    app.file_uploader[0].set_value(("mine.csv", csv, "text/csv")).run()
    assert not app.exception, [e.value for e in app.exception]
    app.switch_page("pages/overview.py").run()
    assert metric(app, "Tickets") == "2"
    assert metric(app, "Breached FRT") == "1"  # HIGH, answered after 1 h > 30 min


def test_product_codes_can_be_generalized_from_the_prepare_page(app: AppTest) -> None:
    app.switch_page("pages/prepare.py").run()
    [b for b in app.button if b.label == "Strip vendor prefixes"][0].click().run()
    assert not app.exception
    loaded = app.session_state["tl_loaded"]
    products = set(loaded.cleaned.anonymized.events["product"].dropna())
    assert products and not any(p.startswith("NOVA_") for p in products)
    assert not loaded.cleaned.anonymized.clean["product"].astype(str).str.startswith("NOVA_").any()
