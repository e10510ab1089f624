"""SLA policy: edit allowances, the clock and pause statuses, and see the effect on breach rates at once."""
from datetime import time

import streamlit as st

import state
from core import contract, policy as policy_mod, views

st.title("SLA policy")
st.markdown(
    "Each priority has an allowance that applies to first response (FRT) and to time in tier. A duration "
    "**breaches** when it is strictly greater than its allowance. Edit the policy below: the breach rates under "
    "your edit appear next to the current ones straight away; **Apply** makes it the policy of every page."
)
cur = state.loaded()
pol = state.policy()
seen = tuple(state.options().get("priority") or ())
key = f"tl_pol_{state.policy_version()}"

left, right = st.columns([3, 2])
with left:
    st.subheader("Allowances per priority")
    allowances = st.data_editor(
        views.allowances_table(pol, seen), hide_index=True, num_rows="dynamic", key=f"{key}_allow", width="stretch",
        placeholder=state.EMPTY_CELL,
        column_config={
            "priority": st.column_config.TextColumn("priority", required=True),
            "allowance": st.column_config.NumberColumn("allowance", min_value=0.0, step=1.0),
            "unit": st.column_config.SelectboxColumn("unit", options=list(views.UNITS), required=True),
        })
    # filled in once the clock is chosen (on the right): what a day of allowance means on the business clock
    allowance_note = st.empty()
    missing = [p for p in seen if p not in dict(pol.allowances)]
    if missing:
        st.warning(f"The data has priorities the policy does not name: {', '.join(missing)}. Their tier events "
                   "are not rated until you give them an allowance.", icon=":material/warning:")
    st.subheader("Overrides (optional)")
    st.caption("A different allowance for one tier and/or one metric; the most specific row wins.")
    overrides = st.data_editor(
        views.overrides_table(pol), hide_index=True, num_rows="dynamic", key=f"{key}_over", width="stretch",
        placeholder=state.EMPTY_CELL,
        column_config={
            "priority": st.column_config.SelectboxColumn("priority", options=list(dict.fromkeys([*dict(pol.allowances), *seen]))),
            "tier": st.column_config.SelectboxColumn("tier", options=[views.ALL, *contract.TIERS]),
            "metric": st.column_config.SelectboxColumn("metric", options=[views.ALL, "frt", "tier"]),
            "allowance": st.column_config.NumberColumn("allowance", min_value=0.0, step=1.0),
            "unit": st.column_config.SelectboxColumn("unit", options=list(views.UNITS)),
        })

with right:
    st.subheader("Clock")
    bh = pol.business_hours
    clock = st.radio("Count time in", ["calendar", "business"], index=0 if pol.clock == "calendar" else 1,
                     format_func={"calendar": "Calendar time (as the original)", "business": "Business hours"}.get,
                     key=f"{key}_clock")
    days, start, end, tz, country, custom = (tuple(views.WEEKDAYS[d] for d in bh.days), time.fromisoformat(bh.start),
                                             time.fromisoformat(bh.end), bh.timezone, bh.holiday_country,
                                             ", ".join(d.isoformat() for d in bh.custom_holidays))
    if clock == "business":
        days = tuple(st.multiselect("Working days", views.WEEKDAYS, default=list(days), key=f"{key}_days"))
        c1, c2 = st.columns(2)
        start = c1.time_input("Day starts", start, key=f"{key}_start")
        end = c2.time_input("Day ends", end, key=f"{key}_end")
        # an allowance of "1 day" is 24 working hours here, not one working day: said where the hours are chosen
        # and under the allowances, from the hours chosen
        day_note = views.business_day_note(start, end)
        st.info(day_note + " Resolution and closing times stay calendar time.", icon=":material/schedule:")
        allowance_note.caption(f":material/schedule: {day_note}")
        zones = state.time_zones()
        tz = st.selectbox("Time zone of the working day", zones, index=zones.index(tz) if tz in zones else 0,
                          key=f"{key}_tz")
        file_tz = cur.prepared.mapping.timezone
        if file_tz != tz:
            st.caption(f":material/info: The file's times are read as {file_tz} local time (Prepare page, Dates "
                       f"tab); the working day is placed in {tz}. If your ticket system wrote {tz} local "
                       "times, set the file's time zone there.")
        countries = state.holiday_countries()
        labels = {c: f"{c} · {n}" for c, n in countries.items()}
        country = st.selectbox("Public holidays of", [None, *countries], format_func=lambda c: "none" if c is None else labels[c],
                               index=([None, *countries].index(country) if country in countries else 0), key=f"{key}_hol")
        custom = st.text_input("Extra closed days (YYYY-MM-DD, comma-separated)", custom, key=f"{key}_custom")
    st.subheader("Paused statuses")
    pauses = tuple(st.multiselect("Time in these statuses does not count", contract.STATUSES,
                                  default=list(pol.pause_statuses), key=f"{key}_pause",
                                  help="For example ON_STANDBY while waiting for the customer."))

try:
    edited = views.policy_from_tables(pol, allowances, overrides, clock=clock, days=days, start=start, end=end,
                                      timezone=tz, country=country, custom_holidays=custom, pauses=pauses)
except state.InputError as err:
    st.error(f"The edited policy is not valid: {err}", icon=":material/error:")
    st.stop()

zero = views.zero_allowances(edited)
if zero:
    st.warning(f"An allowance of 0 for {', '.join(zero)} means every such tier event with any wait at all breaches. "
               "If that is a typing slip, enter the allowance you meant.", icon=":material/warning:")

st.subheader("What if")
changed = policy_mod.policy_to_toml(edited) != policy_mod.policy_to_toml(pol)
with st.spinner("Recomputing breach rates…"):
    now_dash = state.dashboard()
    edit_dash = state.dashboard(pol=edited) if changed else now_dash
table = views.compare_rates(now_dash, edit_dash)
CHANGE_COLUMNS = tuple(views.RATE_CHANGE.values())
st.dataframe(table, hide_index=True, width="stretch", placeholder=state.EMPTY_CELL, column_config={
    c: st.column_config.NumberColumn(c, format="%+.1f pts" if c in CHANGE_COLUMNS else "percent",
                                     help="Edited minus now, in percentage points" if c in CHANGE_COLUMNS else None)
    for c in table.columns if c != "scope"})
if not changed:
    st.caption("Edit an allowance, the clock or the paused statuses to see their effect here.")

c1, c2, c3 = st.columns(3)
if c1.button("Apply to every page", type="primary", disabled=not changed, icon=":material/check:"):
    state.set_policy(edited)
    st.rerun()
if c2.button("Back to the default policy", icon=":material/restart_alt:"):
    state.set_policy(policy_mod.Policy.default())
    st.rerun()
c3.download_button("Download this policy (TOML)", policy_mod.policy_to_toml(edited), file_name="tierlens-policy.toml",
                   mime="application/toml", icon=":material/download:",
                   help="The policy as edited above, applied or not; load it here or pass it to the CLI with --policy.")
up = st.file_uploader("Load a policy file (TOML)", type=["toml"], key=f"{key}_upload",
                      max_upload_size=views.SETTINGS_FILE_MB)
if up is not None:
    try:
        state.set_policy(policy_mod.policy_from_toml(up.getvalue().decode("utf-8", errors="replace")))
        st.rerun()
    except ValueError as err:
        st.error(f"That policy file could not be used: {err}", icon=":material/error:")

state.how_computed(
    "The allowance of a tier event is looked up by its priority, then refined by any override for its tier "
    "and/or metric (the most specific wins). Calendar time counts every second. Business hours count only "
    "the overlap of the measured interval with the working intervals of a calendar (working days and hours "
    "in the chosen time zone, minus public and custom holidays). Time spent in a paused status (from the "
    "paused event to the ticket's next event) is subtracted from the measured interval.",
    "tier_events")
