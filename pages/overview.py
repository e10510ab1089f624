"""Overview: the headline KPIs of the original report, and findings computed from the data."""
import streamlit as st

import state
from core import findings, views
from core.durations import readable

cur, dash = state.page_header("Overview")

if dash.kpis.empty or not int(dash.kpis["tickets"].iloc[0]):
    state.empty_state("No tickets match the current filters.")
    st.stop()
k = dash.kpis.iloc[0]


def rate(part, whole) -> str:
    return f"{part / whole:.1%} of {whole:,}" if whole else "no rated events"


row1 = st.columns(4)
row1[0].metric("Tickets", f"{int(k['tickets']):,}", help="Distinct tickets after duplicates are removed.",
               border=True)
row1[1].metric("Tier events", f"{int(k['tier_events']):,}", border=True,
               help="Waiting events (open, triage, escalated, on standby) inside a real tier.")
row1[2].metric("Breached tier events", f"{int(k['tier_breached']):,}", border=True,
               delta=rate(int(k["tier_breached"]), int(k["tier_rated"])), delta_arrow="off",
               delta_color="inverse" if int(k["tier_breached"]) else "off",
               help="Time in tier strictly greater than the priority's allowance.")
row1[3].metric("Unbreached tier events", f"{int(k['tier_unbreached']):,}", border=True)
# the cards' parts, added up to the total: an event that is not rated (and why) is in no card
st.caption(views.tier_event_sum(k, "tier"), help="Still waiting: no response yet. Not rated: answered, but with no "
           "time in tier (the response has no work-resolved time), a negative duration (a data error, listed on the "
           "Prepare page) or a priority the SLA policy gives no allowance.")

row2 = st.columns(4)
row2[0].metric("Breached FRT", f"{int(k['frt_breached']):,}", border=True,
               delta=rate(int(k["frt_breached"]), int(k["frt_rated"])), delta_arrow="off",
               delta_color="inverse" if int(k["frt_breached"]) else "off",
               help="First response time strictly greater than the allowance.")
row2[1].metric("Unbreached FRT", f"{int(k['frt_unbreached']):,}", border=True)
# the split is too long for one delta line: the resolved / closed part goes in a caption under it
with row2[2].container(border=True):
    st.metric("Still waiting", f"{int(k['still_waiting']):,}",
              delta=f"{int(k['still_waiting_open']):,} on open tickets", delta_arrow="off",
              delta_color="inverse" if int(k["still_waiting_open"]) else "off",  # red only when there are some
              help=f"Tier events that never got a response in their tier. {int(k['still_waiting_open']):,} are on "
                   f"tickets still open ({int(k['tier_overdue_open']):,} of them past SLA): those can still be "
                   f"answered. The other {int(k['still_waiting_resolved_since']):,} are on tickets resolved or "
                   "closed after the wait, without a response in that tier. Ages are measured at the export's "
                   f"last timestamp; {int(k['tier_overdue']):,} in all are past SLA.")
    st.caption(f"{int(k['still_waiting_resolved_since']):,} on tickets resolved or closed since")
row2[3].metric("Tiered tickets", f"{int(k['tiered_tickets']):,}", border=True,
               help="Tickets with at least one event in a real tier.")
st.caption(views.tier_event_sum(k, "frt"))

st.subheader("Durations")
st.caption("Averages hide the long tail: the median is the typical case, the 90th percentile the slow one.")
# on the business-hours clock (or with paused statuses) FRT and time in tier are working time, resolution and
# closing stay calendar time: each card says which
dur = st.columns(4)
for col, (label, prefix) in zip(dur, (("time in tier", "tier"), ("first response (FRT)", "frt"),
                                      ("resolution time", "resolution"), ("closing time", "closing"))):
    with col.container(border=True):
        st.metric(f"Avg {label}", readable(k[f"{prefix}_mean_s"]) or "–")
        st.caption(f"median **{readable(k[f'{prefix}_median_s']) or '–'}**  \n"
                   f"p90 **{readable(k[f'{prefix}_p90_s']) or '–'}**"
                   + (f"  \n:material/schedule: {clock}" if (clock := views.duration_clock(state.policy(), prefix))
                      else ""))

st.subheader("What the data says")
found = findings.findings(dash)
if not found:
    st.info("Not enough rated tier events under the current filters to say more.")
cols = st.columns(2)
for i, f in enumerate(found):
    with cols[i % 2].container(border=True):
        st.markdown(f"**{f.headline}**")
        st.markdown(f.detail)

state.drill("Tier events behind these figures", dash.tier_events, key="ov_drill")
state.how_computed(
    "A **tier event** is a waiting event (OPEN, TRIAGE, ESCALATED, ON_STANDBY) in a real tier. Its response is "
    "the next IN_PROGRESS event of the same ticket in the same tier strictly after it. **FRT** = response time − "
    "event time; **time in tier** = that response's work-resolved time − event time. A duration **breaches** when "
    "it is strictly greater than the priority's allowance (default HIGH 30 min, MEDIUM 1 day, LOW 1 week). "
    "Breach rate = breached / rated events. A tier event with no response is **still waiting**: on an open "
    "ticket unless its ticket has a RESOLVED or CLOSED event at or after it. Resolution = last RESOLVED − first "
    "OPEN; closing = last CLOSED − last RESOLVED; negative durations are data errors, left out and listed on the "
    "Prepare page.",
    "tier_events", "kpis")
