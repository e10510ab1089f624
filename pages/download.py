"""Download: the anonymized events, tier events and KPI summary, with the leak check beside the buttons."""
import streamlit as st

import state
from core import export, views
from core.anonymize import Key

st.title("Download an anonymized copy")
cur = state.loaded()
with st.empty():  # the note shows at once while the thread finishes (a spinner appears only after 0.5 s)
    if not cur.cleaned.ready:  # a second or two after an upload of a million rows
        st.info("Finishing the anonymized copy and its leak check…", icon=":material/hourglass_top:")
    try:
        cleaned = state.clean_copy()
    except state.CleanCopyFailed as err:
        st.error(str(err), icon=":material/error:")
        st.stop()
    st.empty()
leaks = cleaned.leaks
rows = len(cleaned.anonymized.clean)

st.markdown(
    "The clean file holds every row of your upload (duplicates removed) with people and clients replaced by "
    "tokens (`Agent 7`, `School 12`), free text scrubbed of the names that appear in the file's personal columns, "
    "e-mail addresses, phone numbers and links, and any column you chose dropped. Check or change the "
    "per-column plan on the **Prepare** page."
)

with st.container(border=True):
    if leaks.clean:
        st.success(f"Leak check passed: {leaks.message()}", icon=":material/verified_user:")
    else:
        st.error(f"Leak check failed: {leaks.message()} Change the plan for those columns on the Prepare page "
                 "(tokenize, scrub or drop them).", icon=":material/gpp_bad:")
    if leaks.name_like:  # not provable leaks (no personal column names them): the user decides
        st.warning(leaks.name_like_message() + " (Prepare page, Anonymization plan.)", icon=":material/person_search:")
    st.caption("Names typed in free text that are in no personal column (a caller named only in a title, say) "
               "are not recognised, by the scrubbing or by the leak check: read any text column you keep or scrub "
               "before you share the file.")
    plan = cleaned.plan
    counts = views.plan_counts(plan)
    st.caption(" · ".join(f"{n} column{'s' if n != 1 else ''} {a.value}" for a, n in counts.items() if n))

override = False
if not leaks.clean:
    override = st.checkbox("I have checked the columns above and want to download anyway", key="tl_leak_override")
allowed = leaks.clean or override

st.subheader("Clean events")
c1, c2, c3 = st.columns(3)
too_big = rows > export.XLSX_ROW_LIMIT
c1.download_button("Excel (.xlsx)", state.lazy_export("xlsx"), file_name=views.download_name("anonymized.xlsx"),
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   disabled=not allowed or too_big, icon=":material/table_view:", type="primary", key="dl_xlsx", on_click="ignore")
c2.download_button("CSV", state.lazy_export("csv"), file_name=views.download_name("anonymized.csv"),
                   mime="text/csv", disabled=not allowed, icon=":material/description:", key="dl_csv", on_click="ignore")
c3.download_button("Parquet", state.lazy_export("parquet"), file_name=views.download_name("anonymized.parquet"),
                   mime="application/vnd.apache.parquet", disabled=not allowed, icon=":material/data_object:",
                   key="dl_parquet", on_click="ignore")
if too_big:
    st.info(f"{rows:,} rows is more than Excel files are offered for here ({export.XLSX_ROW_LIMIT:,}): writing "
            "XLSX is slow in every library. Download CSV or Parquet instead, or the zipped CSV below.",
            icon=":material/info:")
    st.download_button("Zipped CSV", state.lazy_export("csv.zip"), file_name=views.download_name("anonymized.csv.zip"),
                       mime="application/zip", disabled=not allowed, key="dl_zip", on_click="ignore")
st.caption(f"{rows:,} rows × {cleaned.anonymized.clean.shape[1]} columns. Text cells that could run as "
           "spreadsheet formulas are written as plain text.")

st.subheader("Analysis results")
st.caption("Computed with the current SLA policy and sidebar filters; tokens, never real names.")
tier_events = len(state.dashboard().tier_events)
results_too_big = tier_events > export.XLSX_ROW_LIMIT
tag = "-filtered" if state.filters_summary() else ""
d1, d2 = st.columns(2)
d1.download_button("Tier events and KPI summary (.xlsx)", state.lazy_export("results.xlsx"),
                   file_name=views.download_name(f"sla-results{tag}.xlsx"),
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   disabled=not allowed or results_too_big, icon=":material/analytics:", key="dl_results",
                   on_click="ignore", help="With an About sheet: the file, filters and SLA policy behind the figures.")
d2.download_button("Tier events (CSV)", state.lazy_export("tier_events.csv"),
                   file_name=views.download_name(f"tier-events{tag}.csv"), mime="text/csv",
                   disabled=not allowed, key="dl_tier_csv", on_click="ignore")
if results_too_big:
    st.info(f"{tier_events:,} tier events is more than Excel files are offered for here ({export.XLSX_ROW_LIMIT:,} "
            "rows): download the tier events as CSV, or filter in the sidebar first.", icon=":material/info:")

st.subheader("Stable tokens across files")
st.markdown("Without a key, tokens are numbered in order of appearance and differ from file to file. With a "
            "passphrase you keep, the same person gets the same token in every monthly export, so trends survive "
            "anonymization. The passphrase never appears in any download.")
k1, k2 = st.columns([3, 1])
phrase = k1.text_input(f"Passphrase ({Key.MIN_PASSPHRASE_CHARS} characters or more)", type="password",
                       key="tl_passphrase")
if k2.button("Use passphrase", disabled=len(phrase or "") < Key.MIN_PASSPHRASE_CHARS):
    state.set_passphrase(phrase)
    st.rerun()
if state.has_key():
    st.caption("Tokens are keyed by your passphrase for this session.")

st.subheader("Re-identification table")
with st.container(border=True):
    st.warning("This table maps every token back to the real name or value. It **contains personal data**: keep "
               "it to yourself, never share it with the clean file.", icon=":material/warning:")
    sure = st.checkbox("I understand: this file contains personal data", key="tl_reid_ok")
    st.download_button("Token → original (CSV)", state.lazy_export("token_map.csv"),
                       file_name=views.download_name("PERSONAL-token-map.csv"), mime="text/csv",
                       disabled=not sure, icon=":material/key:", key="dl_reid", on_click="ignore")
