"""TierLens router: page config, session defaults, the shared sidebar filters, navigation."""
import streamlit as st

import state

st.set_page_config(page_title="TierLens: SLA analysis", page_icon=":material/insights:", layout="wide")
state.init()

pages = {
    "Data": [
        st.Page("pages/prepare.py", title="Prepare", icon=":material/upload_file:"),
        st.Page("pages/policy.py", title="SLA policy", icon=":material/tune:"),
    ],
    "Dashboards": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/sla.py", title="SLA", icon=":material/timer:"),
        st.Page("pages/escalation.py", title="Escalation", icon=":material/stairs:"),
        st.Page("pages/products.py", title="Products & volume", icon=":material/inventory_2:"),
        st.Page("pages/agents.py", title="Agents", icon=":material/support_agent:"),
    ],
    "Share": [
        st.Page("pages/download.py", title="Download", icon=":material/download:"),
    ],
}
nav = st.navigation(pages)
state.resume_deep_link()

LABELS = {
    "product": "Product", "priority": "Priority", "issue_type": "Issue type",
    "issue_category": "Issue category", "tier": "Tier", "region": "Region", "agent": "Agent",
}

with st.sidebar:
    current = state.loaded()
    st.caption(f"Data: **{current.name}**" + (" (sample)" if current.is_sample else ""))
    opts = state.options()
    st.subheader("Filters")
    if opts.get("date_min") and opts.get("date_max"):
        st.date_input("Event date", value=(opts["date_min"], opts["date_max"]),
                      min_value=opts["date_min"], max_value=opts["date_max"],
                      key=state.filter_key("date"), format="YYYY-MM-DD")
    for dim, label in LABELS.items():
        values = opts.get(dim) or []
        if values:
            st.multiselect(label, values, key=state.filter_key(dim), placeholder="All",
                           format_func=state.filter_label(dim, values))
    summary = state.filters_summary()
    if summary:
        st.info("Filters active: " + summary, icon=":material/filter_alt:")
        st.button("Reset filters", on_click=state.reset_filters, icon=":material/restart_alt:")
    st.toggle("Show real names (this session only)", key=state.REVEAL,
              help="Dashboards show tokens such as 'Agent 7' by default. Real names are never part of a download.")

nav.run()
