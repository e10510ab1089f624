"""Agents: the agent SLA report: per-agent breach rates and each agent's tier events."""
import streamlit as st

import state
from core import charts, metrics
from core.durations import readable

cur, dash = state.page_header("Agents")

if dash.agent_events.empty:
    state.empty_state("No tier events match the current filters.")
    st.stop()
if not state.reveal_on():
    st.caption(":material/visibility_off: Agents are shown as tokens such as *Agent 7*. To see real names in "
               "this session only, use *Show real names* in the sidebar.")

# ---- per-agent summary --------------------------------------------------------------------------
st.subheader("Breach rate per agent")
c1, c2 = st.columns([3, 2])
metric_label = c1.segmented_control("Metric", ["Tier SLA", "First response (FRT)"], default="Tier SLA",
                                    required=True, key="ag_metric")
scale = c2.segmented_control("Events axis", ["log", "linear"], default="log", required=True, key="ag_scale")
metric = "tier" if metric_label == "Tier SLA" else "frt"
# the chart shows tokens or revealed names; the key follows the toggle so a pick is never of the other kind
scatter = charts.agent_scatter(state.shown(dash.agents), dash.kpis, metric, scale, metrics.SMALL_SAMPLE)
clicked = st.altair_chart(scatter, width="stretch", on_select="rerun",
                          key=f"ag_scatter_{metric}_{scale}_{'named' if state.reveal_on() else 'tokens'}")
picked = charts.picked_values(clicked, field="agent")
st.caption(f"Grey points: agents with fewer than {metrics.SMALL_SAMPLE} tier events; their rates are not reliable. "
           "The dashed line is the rate over all agents. "
           + ("Click a point to list only that agent's tier events below." if not picked else
              f"Showing the tier events of **{', '.join(picked)}** below; double-click the chart to clear."))
events = dash.agent_events
# a click gives the name as shown, so the rows are matched as shown (then listed through state.drill)
state.drill("Tier events behind this chart" + (f": {', '.join(picked)}" if picked else ""),
            charts.rows_shown_as(events, state.shown(events) if picked else events, "agent", picked, charts.NO_AGENT),
            fmt=charts.agent_event_rows, key="ag_drill_scatter")

table = charts.agent_table(dash.agents, metrics.SMALL_SAMPLE)
st.dataframe(state.shown(table), hide_index=True, width="stretch", height=360, key="ag_table",
             placeholder=state.EMPTY_CELL,
             column_config={
                 "Tier SLA breached %": st.column_config.NumberColumn("Tier SLA breached", format="%.1f%%"),
                 "FRT breached %": st.column_config.NumberColumn("FRT breached", format="%.1f%%"),
                 "Note": st.column_config.TextColumn("Note", width="medium"),
             })
state.how_computed(
    "Per agent named on the tier event: breach rate = breached ÷ rated tier events (tier SLA and FRT); medians "
    f"are `quantile_cont`. Agents with fewer than {metrics.SMALL_SAMPLE} tier events are flagged: with so few "
    "events one slow ticket moves the rate by several points.", "agents")

# ---- one agent's events -----------------------------------------------------------------------
st.subheader("Agent SLA report")
tokens = charts.agent_options(dash.agents)
labels = charts.labels_for(table["Agent"], state.shown(table)["Agent"])
# the key follows the reveal toggle so the shown label (token or name) is never stale
chosen = st.selectbox("Agent", [None, *tokens], key="ag_pick_named" if state.reveal_on() else "ag_pick",
                      placeholder="All agents",
                      format_func=lambda t: "All agents" if t is None else labels.get(t, t),
                      help="Pick an agent to see their tier events; the sidebar filters still apply.")
if chosen is not None:
    row = charts.agent_row(dash.agents, chosen)
    a = st.columns(4)
    a[0].metric("Tier events", f"{int(row['tier_events']):,}", border=True,
                delta=f"{int(row['still_waiting']):,} still waiting", delta_color="off", delta_arrow="off")
    a[1].metric("Tier SLA breached", f"{row['tier_breach_rate']:.1%}" if row["tier_rated"] else "–", border=True,
                delta=f"{int(row['tier_breached']):,} of {int(row['tier_rated']):,}", delta_color="off",
                delta_arrow="off")
    a[2].metric("FRT breached", f"{row['frt_breach_rate']:.1%}" if row["frt_rated"] else "–", border=True,
                delta=f"{int(row['frt_breached']):,} of {int(row['frt_rated']):,}", delta_color="off",
                delta_arrow="off")
    a[3].metric("Median FRT", readable(row["frt_median_s"]) or "–", border=True,
                delta=f"time in tier {readable(row['tier_median_s']) or '–'}", delta_color="off", delta_arrow="off")
    if bool(row["small_sample"]):
        st.warning(f"Fewer than {metrics.SMALL_SAMPLE} tier events: rates are not reliable.", icon=":material/info:")
rows = charts.events_of_agent(dash.agent_events, chosen)
state.rows_table(rows, fmt=charts.agent_event_rows, height=420, key="ag_events", file_stem="agent SLA report",
                 what="tier events",
                 column_config={"Event time": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                                "FRT breached": st.column_config.CheckboxColumn(),
                                "Tier SLA breached": st.column_config.CheckboxColumn(),
                                "Still waiting": st.column_config.CheckboxColumn()})
st.caption(f"{len(rows):,} tier events. Sort by any column; the sidebar filters (product, priority, issue type, "
           "tier, region, dates) narrow the report like the original's slicers.")
state.how_computed("One row per tier event, with the agent named on it, its first response time and time in tier "
                   "(readable) and whether each breached its allowance.", "agent_events")
