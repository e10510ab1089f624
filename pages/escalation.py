"""Escalation: how far tickets climb Tier 1 -> 2 -> 3, time and breaches per tier, which tier used the budget."""
import streamlit as st

import state
from core import charts, views

cur, dash = state.page_header("Escalation")

tier_column = cur.prepared.mapping.roles.get("tier")
if not tier_column:
    st.warning("This data has **no support-tier column** mapped, so there is no escalation to show. If your "
               "export has one (e.g. *escalation_level*, *support tier*, *group*), choose it for the role "
               "**tier** under *Column mapping* on the Prepare page.", icon=":material/stairs:")
    st.page_link("pages/prepare.py", label="Open Prepare → Column mapping", icon=":material/upload_file:")
    st.stop()
k = dash.kpis.iloc[0]
if not int(k["tiered_tickets"]):
    if state.filters_summary():
        state.empty_state("No ticket under the current filters entered a tier.")
    else:
        st.warning(f"The tier column **{tier_column}** is mapped, but no event is in a real tier. Check on the "
                   "Prepare page which of its values mean Tier 1, 2, 3 (values it did not understand are listed "
                   "there) and which mean *no tier*.", icon=":material/stairs:")
        st.page_link("pages/prepare.py", label="Open Prepare → Column mapping", icon=":material/upload_file:")
    st.stop()

# ---- funnel --------------------------------------------------------------------------------
st.subheader("How far tickets escalate")
funnel = charts.funnel_frame(dash.funnel)
cards = st.columns(len(funnel) + 1)
cards[0].metric("Tiered tickets", f"{int(k['tiered_tickets']):,}", border=True,
                help="Tickets with at least one event in a real tier.")
for col, row in zip(cards[1:], funnel.itertuples()):
    if row.tier == "Tier 1":
        col.metric("Stayed in Tier 1", row.containment_text, border=True,
                   delta=f"{views.plural(row.contained, 'ticket')} contained", delta_color="off", delta_arrow="off",
                   help="Tiered tickets that visited Tier 1 and no other tier.")
    else:
        col.metric(f"Reached {row.tier}", row.reach_text, border=True,
                   delta=views.plural(row.reached, "ticket"), delta_color="off", delta_arrow="off",
                   help=f"Share of tiered tickets with any event in {row.tier}.")
clicked = st.altair_chart(charts.funnel_chart(dash.funnel), width="stretch", on_select="rerun", key="esc_funnel")
picked = charts.picked_values(clicked, field="tier")
st.caption("Click a bar to list only the tickets that reached its tier below; double-click to clear." if not picked else
           f"Showing the tickets that reached **{', '.join(picked)}** below; double-click the chart to clear.")
state.drill("Tiered tickets behind the funnel" + (f": {', '.join(picked)}" if picked else ""),
            charts.flagged_tickets(charts.tickets_reaching(dash.tickets, picked), "tiered"), fmt=charts.ticket_rows,
            key="esc_drill_funnel")
state.how_computed(
    "**Reach** of a tier = tickets with any event in that tier ÷ tiered tickets (tickets with at least one event "
    "in a real tier). **Containment** (Tier 1) = tiered tickets that visited Tier 1 and no other tier.",
    "funnel", "tickets")

# ---- time per tier ----------------------------------------------------------------------------
st.subheader("Time per tier")
scale = st.segmented_control("Scale", ["linear", "log"], default="linear", required=True, key="esc_scale")
t1, t2 = st.columns(2)
time_tier = t1.altair_chart(charts.time_per_tier(dash.funnel, "tier", scale), width="stretch", on_select="rerun",
                            key=f"esc_time_tier_{scale}")
time_frt = t2.altair_chart(charts.time_per_tier(dash.funnel, "frt", scale), width="stretch", on_select="rerun",
                           key=f"esc_time_frt_{scale}")
# both charts feed one drill-down: it lists the tiers clicked in either
picked = charts.merge_picks("tier", charts.picked_values(time_tier, field="tier"),
                            charts.picked_values(time_frt, field="tier"))
st.caption("Averages sit far above medians: a few very long waits pull every mean up. "
           + ("Click a tier's bars to list only its tier events below." if not picked else
              f"Showing the tier events of **{', '.join(picked)}** below; double-click a chart to clear."))
state.drill("Tier events behind these times" + (f": {', '.join(picked)}" if picked else ""),
            charts.events_for(dash.tier_events, "tier", picked), fmt=charts.tier_event_rows, key="esc_drill_time")
state.how_computed(
    "Per tier, over tier events with a non-negative duration: **time in tier** = the response's work-resolved "
    "time − the event's time; **FRT** = the next IN_PROGRESS event in the same tier − the event's time. The "
    "median is the typical event; the mean is what the original report showed.", "funnel", "tier_events")

# ---- breaches per tier ------------------------------------------------------------------------
st.subheader("Breaches per tier")
b1, b2 = st.columns(2)
out_tier = b1.altair_chart(charts.outcome_bars(dash.breakdown, "tier", "tier", scale,
                                               title="Tier SLA breached vs met per tier"),
                           width="stretch", on_select="rerun", key=f"esc_outcome_tier_{scale}")
out_frt = b2.altair_chart(charts.outcome_bars(dash.breakdown, "tier", "frt", scale,
                                              title="FRT breached vs met per tier"),
                          width="stretch", on_select="rerun", key=f"esc_outcome_frt_{scale}")
rates = st.altair_chart(charts.breach_rate_bars(dash.breakdown, "tier"), width="stretch", on_select="rerun",
                        key="esc_breach_rate")
# the three charts feed one drill-down: it lists the tiers clicked in any of them
picked = charts.merge_picks("tier", *(charts.picked_values(c) for c in (out_tier, out_frt, rates)))
st.caption("Click a tier's bars in any of these charts to list only its tier events below; double-click to clear."
           if not picked else
           f"Showing the tier events of **{', '.join(picked)}** below; double-click a chart to clear.")
state.drill("Breached or met tier events" + (f": {', '.join(picked)}" if picked else ""),
            charts.rated_events(charts.events_for(dash.tier_events, "tier", picked)), fmt=charts.tier_event_rows,
            key="esc_drill_breach")
state.how_computed("Breach rate = breached tier events ÷ rated tier events (those with a duration and an "
                   "allowance), per tier and per metric. The rows listed are the rated tier events (tier SLA or "
                   "FRT) of the tiers clicked, or of all tiers: tier SLA breaches first, longest overrun first, "
                   "then FRT breaches, then those that met both.", "breakdown")

# ---- attribution ------------------------------------------------------------------------------
st.subheader("Which tier used the time budget")
sentence = charts.attribution_sentence(dash.attribution)
if sentence:
    st.markdown(sentence)
st.altair_chart(charts.attribution_bar(dash.attribution), width="stretch")
state.how_computed(
    "A ticket's **tier time** is the sum of the time in tier of its tier events; its **budget** is the largest "
    "allowance among them. It breached end to end when its tier time is strictly greater than its budget. For "
    "those tickets the bar splits their summed tier time by tier (pooled share); the tooltip also gives the "
    "average share per ticket.", "attribution")

# ---- reopen and ping-pong --------------------------------------------------------------------
st.subheader("Escalations, reopens and ping-pong")
r = st.columns(3)
r[0].metric("Escalated tickets", f"{int(k['escalated_tickets']):,}", border=True,
            help="Tickets that moved up to a higher tier at least once, from one tiered event to the next. "
                 "It can be fewer than the tickets that reached Tier 2 above: a ticket whose first tiered "
                 "event was already in Tier 2 reached it without an escalation.")
r[1].metric("Reopened tickets", f"{int(k['reopened_tickets']):,}", border=True,
            help="Tickets with a waiting or in-progress event after they were first resolved or closed. "
                 "A resolution or closure logged before the ticket's first OPEN is a data error (listed in "
                 "the data-quality report), not a reopening.")
r[2].metric("Ping-pong tickets", f"{int(k['ping_pong_tickets']):,}", border=True,
            help="Tickets sent down to a lower tier and later up again.")
for flag, title in (("escalated", "Escalated tickets"), ("reopened", "Reopened tickets"), ("ping_pong", "Ping-pong tickets")):
    state.drill(title, charts.flagged_tickets(dash.tickets, flag), fmt=charts.ticket_rows,
                key=f"esc_drill_{flag.replace('_', '')}")
state.how_computed(
    "**Escalated**: a move between consecutive tiered events to a higher tier. **Reopened**: a waiting or "
    "IN_PROGRESS event strictly later than the ticket's first RESOLVED or CLOSED event. **Ping-pong**: a move "
    "down to a lower tier followed later by a move up again.", "tickets", "kpis")
