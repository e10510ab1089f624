"""Products & volume: where tickets come from (product, issue type, month), the Pareto and the small products."""
import streamlit as st

import state
from core import charts, metrics

cur, dash = state.page_header("Products & volume")

k = dash.kpis.iloc[0]
if not int(k["tickets"]):
    state.empty_state("No tickets match the current filters.")
    st.stop()

m = st.columns(4)
m[0].metric("Tickets", f"{int(k['tickets']):,}", border=True)
m[1].metric("Products", f"{len(dash.pareto):,}", border=True, help="Distinct product values (a blank one counts).")
m[2].metric("Small products", f"{int(k['small_products']):,}", border=True,
            help=f"Products with under {metrics.SMALL_SHARE:.0%} of the tickets.")
m[3].metric("Small products' share", f"{float(k['small_products_share']):.1%}", border=True)

# ---- volume ---------------------------------------------------------------------------------
st.subheader("Tickets by product, issue type and month")
v1, v2 = st.columns([4, 2])
by_label = v1.segmented_control("By", ["Product", "Issue type", "Month"], default="Product", required=True,
                                key="prod_by")
scale = v2.segmented_control("Scale", ["linear", "log"], default="linear", required=True, key="prod_scale")
by = {"Product": "product", "Issue type": "issue_type", "Month": "month"}[by_label]
clicked = st.altair_chart(charts.volume_bars(dash.volume, by, scale), width="stretch", on_select="rerun",
                          key=f"prod_volume_{by}_{scale}")
picked = charts.picked_values(clicked)
st.caption(("A ticket counts in the month it started (its first OPEN event). " if by == "month" else "")
           + (f"Showing the tickets of **{', '.join(picked)}** below; double-click the chart to clear." if picked
              else "Click a bar to list only its tickets below."))
state.drill("Tickets behind this chart" + (f": {', '.join(picked)}" if picked else ""),
            charts.events_for(dash.tickets, by, picked), fmt=charts.ticket_rows, key="prod_drill_volume")
state.how_computed("Tickets are counted once, with the product, issue type and month they were raised with "
                   "(the first non-blank value in time order); shares are of all tickets under the filters.",
                   "volume", "tickets")

# ---- Pareto ---------------------------------------------------------------------------------
st.subheader("Pareto of products")
st.altair_chart(charts.pareto_chart(dash.pareto, metrics.SMALL_SHARE), width="stretch")
small = int(k["small_products"])
if small:
    st.markdown(f"**{small} small product{'s' if small != 1 else ''}** (each under {metrics.SMALL_SHARE:.0%} of "
                f"tickets) together make up **{float(k['small_products_share']):.1%}** of tickets: worth a look "
                "before spending effort per product, and usually grouped as *other* in reports.")
else:
    st.markdown(f"No product has under {metrics.SMALL_SHARE:.0%} of the tickets.")
state.drill("Products ranked by tickets", charts.pareto_table(dash.pareto), key="prod_drill_pareto")
state.how_computed(
    f"Products are ranked by tickets (most first); the line is the running share of all tickets. A product is "
    f"**small** when its share is under {metrics.SMALL_SHARE:.0%}; the small-products share is the sum of their "
    "shares (the original analysis found a few small products made up about 1.2% of tickets).", "pareto")
