"""SLA: tier SLA and first response breached vs met by dimension, duration distributions, overruns, still waiting."""
import streamlit as st

import state
from core import charts, findings, views
from core.durations import readable

cur, dash = state.page_header("SLA")

if dash.tier_events.empty:
    state.empty_state("No tier events match the current filters.")
    st.stop()
k = dash.kpis.iloc[0]


def rate(part, whole) -> str:
    return f"{part / whole:.1%}" if whole else "–"


top = st.columns(4)
top[0].metric("Tier SLA breach rate", rate(int(k["tier_breached"]), int(k["tier_rated"])), border=True,
              delta=f"{int(k['tier_breached']):,} of {views.plural(int(k['tier_rated']), 'tier event')}",
              delta_color="off",
              delta_arrow="off", help="Time in tier strictly greater than the priority's allowance.")
top[1].metric("FRT breach rate", rate(int(k["frt_breached"]), int(k["frt_rated"])), border=True,
              delta=f"{int(k['frt_breached']):,} of {views.plural(int(k['frt_rated']), 'tier event')}",
              delta_color="off",
              delta_arrow="off", help="First response time strictly greater than the allowance.")
top[2].metric("Median time in tier", readable(k["tier_median_s"]) or "–", border=True,
              delta=f"mean {readable(k['tier_mean_s']) or '–'}", delta_color="off", delta_arrow="off")
top[3].metric("Median FRT", readable(k["frt_median_s"]) or "–", border=True,
              delta=f"mean {readable(k['frt_mean_s']) or '–'}", delta_color="off", delta_arrow="off")

# ---- breached vs met -------------------------------------------------------------------------
st.subheader("Breached vs met")
METRIC_CHOICES = {"Tier SLA": "tier", "First response (FRT)": "frt"}
DIM_CHOICES = {"Product": "product", "Issue type": "issue_type", "Issue category": "issue_category",
               "Priority": "priority", "Month": "month", "Tier": "tier", "Region": "region", "Country": "country",
               "Agent": "agent"}
c1, c3 = st.columns([2, 2])
metric_label = c1.segmented_control("Metric", list(METRIC_CHOICES), default="Tier SLA", required=True,
                                    key="sla_metric")
scale = c3.segmented_control("Scale", ["linear", "log"], default="linear", required=True, key="sla_scale",
                             help="A log scale keeps small groups visible beside large ones, as in the original report.")
# a row of its own: the nine dimensions do not fit beside the other two controls
dim_label = st.segmented_control("By", list(DIM_CHOICES), default="Product", required=True, key="sla_dim")
metric, dim = METRIC_CHOICES[metric_label], DIM_CHOICES[dim_label]
# many agents or products: the busiest values only, so the bars stay readable (a caption says so)
rows, values = charts.top_values(dash.breakdown, dim)
named = dim == "agent" and state.reveal_on()
if named:  # agents as the user chose to see them: tokens, or real names in this session (as on the Agents page)
    rows = state.shown(rows)
clicked = st.altair_chart(charts.outcome_bars(rows, dim, metric, scale), width="stretch", on_select="rerun",
                          key=f"sla_outcome_{dim}_{metric}_{scale}{'_named' if named else ''}")
picked = charts.picked_values(clicked)
cut = charts.top_values_caption(dim, len(rows), values)
st.caption((cut + " " if cut else "")
           + ("Click a bar to list only its tier events below; double-click to clear." if not picked else
              f"Showing the tier events of **{', '.join(picked)}** below; double-click the chart to clear."))
if named and picked:  # a click gives the name as shown: match the rows as shown, list them as they are
    behind = charts.rows_shown_as(dash.tier_events, state.shown(dash.tier_events[["agent"]]), "agent", picked)
else:
    behind = charts.events_for(dash.tier_events, dim, picked)
state.drill("Tier events behind this chart" + (f": {', '.join(picked)}" if picked else ""),
            behind, fmt=charts.tier_event_rows, key="sla_drill_outcome")
if dim == "agent" and not state.reveal_on():
    st.caption(":material/visibility_off: Agents are shown as tokens such as *Agent 7*; *Show real names* in "
               "the sidebar shows their names in this session only.")
state.how_computed(
    "Each bar counts **tier events** (waiting events inside a tier) whose duration could be rated. "
    "**Tier SLA**: time in tier = the response's work-resolved time − the event's time. **FRT**: the next "
    "IN_PROGRESS event of the same ticket in the same tier − the event's time. A duration **breaches** when it "
    "is strictly greater than its priority's allowance in the SLA policy; **met** otherwise. Hover a bar for "
    "the group's breach rate.", "tier_events", "breakdown")

# ---- distributions ----------------------------------------------------------------------------
st.subheader("How long it takes")
st.caption("Most tier events are handled quickly while a few take very long, so the average misleads: "
           "the solid line marks the median (the typical case), the dashed one the 90th percentile, the dotted "
           "one the allowance.")
d1, d2 = st.columns([2, 2])
dist_metric_label = d1.segmented_control("Duration", ["Time in tier", "First response (FRT)"],
                                         default="Time in tier", required=True, key="sla_dist_metric")
dist_dim_label = d2.segmented_control("Per", ["Tier", "Priority"], default="Tier", required=True, key="sla_dist_dim")
dist_metric = "tier" if dist_metric_label == "Time in tier" else "frt"
dist_dim = dist_dim_label.lower()
st.altair_chart(charts.duration_histogram(dash.tier_events, dash.breakdown, dist_dim, dist_metric))
st.dataframe(charts.duration_stats(dash.breakdown, dist_dim, dist_metric), hide_index=True, width="stretch",
             placeholder=state.EMPTY_CELL)
state.how_computed(
    "Durations are binned on a log scale of hours (four bins per power of ten) and stacked by outcome. Median "
    "and 90th percentile are computed by the SQL (`quantile_cont`, linear interpolation) over tier events with "
    "a non-negative duration; negative ones are data errors listed on the Prepare page.",
    "tier_events", "breakdown")

# ---- how far over ---------------------------------------------------------------------------
st.subheader("How far over")
over_metric = "tier" if dist_metric == "tier" else "frt"
o = st.columns(3)
o[0].metric("Breached", f"{int(k[f'{over_metric}_breached']):,}", border=True,
            help="Tier events whose duration went over the allowance.")
o[1].metric("Median overrun", readable(k[f"{over_metric}_over_median_s"]) or "–", border=True,
            help="Half of the breaches went over by less than this, half by more.")
o[2].metric("Mean overrun", readable(k[f"{over_metric}_over_mean_s"]) or "–", border=True,
            help="Pulled up by a few very long breaches.")
st.altair_chart(charts.overrun_histogram(dash.tier_events, dash.kpis, over_metric), width="stretch")
state.drill("Breached tier events, longest overrun first", charts.breached_events(dash.tier_events, over_metric),
            fmt=charts.tier_event_rows, key="sla_drill_over")
state.how_computed("Overrun = duration − allowance, for breached tier events only (the metric chosen under "
                   "*How long it takes*).", "tier_events", "kpis")

# ---- still waiting --------------------------------------------------------------------------
st.subheader("Still waiting")
waits = findings.unanswered_waits(dash)
w = st.columns(4)
w[0].metric("No response yet", f"{int(k['still_waiting']):,}", border=True,
            help="Tier events with no IN_PROGRESS event of the ticket in the same tier after them.")
w[1].metric("On open tickets", f"{int(k['still_waiting_open']):,}", border=True,
            delta=f"{int(k['tier_overdue_open']):,} past SLA", delta_arrow="off",
            delta_color="inverse" if int(k["tier_overdue_open"]) else "off",  # red only when there are some
            help="The ticket has no RESOLVED or CLOSED event since the tier event: a wait that can still be answered.")
w[2].metric("Resolved or closed since", f"{int(k['still_waiting_resolved_since']):,}", border=True,
            delta=f"{int(k['tier_overdue_resolved_since']):,} past SLA", delta_color="off", delta_arrow="off",
            help="On tickets resolved or closed after the tier event, without a response in that tier.")
w[3].metric("Already past their SLA", f"{int(k['tier_overdue']):,}", border=True,
            delta=f"{int(k['tier_overdue_open']):,} on open tickets", delta_color="off", delta_arrow="off",
            help="Age at the export's last timestamp strictly greater than the allowance, open tickets or not.")
if waits is not None:
    st.markdown(waits.detail)
    st.dataframe(state.shown(charts.still_waiting_table(dash.still_waiting)), hide_index=True, width="stretch",
                 height=300, key="sla_waiting", placeholder=state.EMPTY_CELL,
                 column_config={"Past SLA": st.column_config.CheckboxColumn("Past SLA"),
                                "Ticket still open": st.column_config.CheckboxColumn(
                                    "Ticket still open", help="No RESOLVED or CLOSED event of the ticket since "
                                    "this tier event"),
                                # with seconds, as the age beside them is (a wait of 1,801 s is past 30 min)
                                "Resolved or closed at": st.column_config.DatetimeColumn(
                                    format="YYYY-MM-DD HH:mm:ss"),
                                "Waiting since": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")})
    st.caption("Tier events on open tickets are listed first, then the rest; the oldest first within each.")
else:
    st.success("Every tier event under the current filters has had a response.", icon=":material/check_circle:")
state.how_computed(
    "A tier event with no later IN_PROGRESS event in its tier is **still waiting**. The original analysis "
    "dropped these; here they are aged at the export's last timestamp and count as past SLA once that age is "
    "strictly greater than the allowance. Each one is **on an open ticket** unless its ticket has a RESOLVED or "
    "CLOSED event at or after it (in any tier, even outside the current filters); otherwise it is **on a ticket "
    "resolved or closed since**, and *Resolved or closed at* gives the first such event. A ticket reopened after "
    "that does not reopen the old wait: the reopening's own tier events are counted themselves.",
    "still_waiting", "tier_events")
