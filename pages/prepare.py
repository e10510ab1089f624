"""Prepare: upload an export (or keep the sample), check the detected columns, dates and data quality."""
import streamlit as st

import state
from core import schema, views

st.title("Prepare your data")
cur = state.loaded()
prep = cur.prepared

st.markdown(
    "Upload a ticket export from any ticket system (CSV, TSV, TXT or Excel .xlsx, up to **600 MB**). "
    "TierLens recognises the columns, reads every date format, removes exact duplicates and "
    "anonymizes names on the fly. Nothing is stored once you close the tab."
)

# Streamlit's dropzone line reads "1GB per file • CSV, …" for our 600 MB limit: its frontend rounds sizes above
# half a unit up to the next one, and 1.67 has no parameter to change or hide that line. The text above says
# the limit and the file types, so this uploader's line is hidden (one style block, no element on the page).
st.html('<style>.st-key-tl_upload [data-testid="stFileUploaderDropzoneInstructions"] {display: none;}</style>')

with st.container(border=True):
    upload = st.file_uploader("Ticket export", type=["csv", "tsv", "txt", "xlsx"], key="tl_upload",
                              help="One row per status change (an event log) or one row per ticket.")
    if upload is not None and st.session_state.get("tl_upload_done") != upload.file_id:
        bar = st.progress(0.0, text="Reading the file…")
        try:
            state.load_upload(upload.getvalue(), upload.name,
                              progress=lambda stage, frac: bar.progress(frac, text=stage + "…"))
            st.session_state["tl_upload_done"] = upload.file_id
            st.session_state.pop(state.UPLOAD_ERROR, None)
            bar.empty()
            st.rerun()
        except state.InputError as err:
            bar.empty()
            st.session_state["tl_upload_done"] = upload.file_id
            st.session_state[state.UPLOAD_ERROR] = f"**{upload.name}** could not be used: {err}"
    if st.session_state.get(state.UPLOAD_ERROR):
        st.error(st.session_state[state.UPLOAD_ERROR] + f"\n\nStill showing: **{cur.name}**.",
                 icon=":material/error:")
    c1, c2 = st.columns([3, 1])
    c1.markdown(views.dataset_caption(cur))
    if not cur.is_sample:
        c2.button("Back to the sample export", on_click=state.load_sample, icon=":material/science:")

pend = state.pending()
if pend is not None:
    with st.container(border=True):
        st.markdown(f"#### Which column is which in **{pend.name}**?")
        st.caption(f"The file was read ({pend.raw.rows_read:,} rows, {pend.raw.frame.shape[1]} columns), but "
                   "TierLens could not tell which column holds what the analysis cannot do without. "
                   "Pick it; everything else is recognised as usual and can be corrected afterwards.")
        columns = list(map(str, pend.raw.frame.columns))
        picked = {}
        for role in pend.missing:
            picked[role] = st.selectbox(f"{role.replace('_', ' ').capitalize()}: {views.ROLE_MEANINGS[role]}",
                                        columns, index=None, placeholder="Choose a column",
                                        key=f"tl_pending_{pend.dataset_id}_{role}")
        p1, p2, _ = st.columns([1, 1, 2])
        if p1.button("Use these columns", type="primary", icon=":material/check:",
                     disabled=any(v is None for v in picked.values())):
            try:
                with st.spinner(f"Analysing {pend.name}…"):
                    state.load_pending(picked)
                st.session_state.pop(state.UPLOAD_ERROR, None)
                st.rerun()
            except state.InputError as err:
                st.error(f"**{pend.name}** could not be used with these columns: {err}", icon=":material/error:")
        if p2.button("Dismiss", icon=":material/close:"):
            state.drop_pending()
            st.session_state.pop(state.UPLOAD_ERROR, None)
            st.rerun()

if len(prep.raw.sheets) > 1:
    sheet = st.selectbox("Worksheet", prep.raw.sheets, index=prep.raw.sheets.index(prep.raw.sheet),
                         help="The first sheet is read by default.")
    if sheet != prep.raw.sheet:
        try:
            with st.spinner(f"Reading sheet '{sheet}'…"):
                state.switch_sheet(sheet)
            st.rerun()
        except state.InputError as err:
            st.error(f"Sheet '{sheet}' could not be used: {err}\n\nStill showing sheet '{prep.raw.sheet}' "
                     f"of **{cur.name}**.", icon=":material/error:")

if pend is not None or st.session_state.get(state.UPLOAD_ERROR):
    # the tabs below describe the data still loaded, not the file that could not be used (yet)
    st.markdown(f"#### The data in use now: **{cur.name}**")
tab_map, tab_dates, tab_quality, tab_plan = st.tabs(
    ["Column mapping", "Dates", "Data quality", "Anonymization plan"])

with tab_map:
    st.caption("Each role the analysis needs, the column chosen for it, how it was chosen and how sure "
               "TierLens is. Change any choice and apply.")
    table = views.mapping_table(prep)
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key=f"tl_map_{cur.dataset_id}", placeholder=state.EMPTY_CELL,
        disabled=["role", "how", "confidence", "meaning"],
        column_config={
            "column": st.column_config.SelectboxColumn("column", options=views.column_choices(prep)),
            "confidence": st.column_config.ProgressColumn("confidence", min_value=0.0, max_value=1.0,
                                                          format="percent"),
        },
    )
    unknown = views.unknown_values_table(prep)
    if len(unknown):
        st.warning("Some values were not recognised. They are kept and counted, but a tier event needs a "
                   "known status, tier and priority. Map them here:", icon=":material/help:")
        unknown_edit = st.data_editor(
            unknown, hide_index=True, key=f"tl_vocab_{cur.dataset_id}", disabled=["role", "value", "rows"],
            placeholder=state.EMPTY_CELL,
            column_config={"means": st.column_config.SelectboxColumn("means", options=views.canonical_choices())},
        )
    else:
        unknown_edit = unknown
    c1, c2, c3 = st.columns(3)
    if c1.button("Apply mapping", type="primary", icon=":material/check:"):
        try:
            state.remap(views.mapping_from_tables(prep, edited, unknown_edit))
            st.rerun()
        except state.InputError as err:
            st.error(str(err))
    c2.download_button("Save mapping (TOML)", views.mapping_toml(prep), file_name="tierlens-mapping.toml",
                       mime="application/toml", icon=":material/save:")
    up = c3.file_uploader("Load a mapping", type=["toml"], key=f"tl_map_up_{cur.dataset_id}",
                          label_visibility="collapsed", max_upload_size=views.SETTINGS_FILE_MB)
    if up is not None and st.session_state.get("tl_map_done") != up.file_id:
        st.session_state["tl_map_done"] = up.file_id
        try:
            state.remap(views.mapping_from_toml(prep, up.getvalue()))
            st.rerun()
        except state.InputError as err:
            st.error(f"That mapping file could not be used: {err}")

with tab_dates:
    st.caption("Each timestamp column is read with one explicit format order for the whole column, "
               "decided by a vote of the values whose day or month is above 12. A column whose values "
               "cannot tell (no day above 12) takes the order the file's other date columns show.")
    st.dataframe(views.dates_table(prep), hide_index=True, width="stretch", placeholder=state.EMPTY_CELL,
                 # the counts stay in view beside the (long) formats; every count with thousands separators
                 column_config={"formats found": st.column_config.TextColumn(width=400),
                                **{n: st.column_config.NumberColumn(width="small", format="localized")
                                   for n in ("parsed", "empty", "failed")}})
    zones = state.time_zones()
    file_tz = prep.mapping.timezone
    z1, z2 = st.columns([3, 1], vertical_alignment="bottom")
    new_tz = z1.selectbox(
        "Time zone of the file's times", zones, index=zones.index(file_tz) if file_tz in zones else 0,
        key=f"tl_file_tz_{cur.dataset_id}",
        help="The zone your ticket system wrote its times in (exports usually write local time). Times "
             "without an offset are taken as this zone's local time; times with an offset (Z, +03:00) are "
             "converted to it. It matters for business hours: the working day is placed in this zone.")
    if z2.button("Re-read the times", key=f"tl_file_tz_apply_{cur.dataset_id}", disabled=new_tz == file_tz,
                 icon=":material/schedule:"):
        state.remap(schema.with_overrides(prep.mapping, timezone=new_tz))
        st.rerun()
    for rep in prep.dates:
        chosen = prep.mapping.date_orders.get(rep.column, "auto")
        if rep.order in ("ambiguous", "conflicting") or chosen != "auto" or rep.inferred_from:
            if rep.inferred_from and chosen == "auto":
                st.info(f"**{rep.column}**: {rep.note}.", icon=":material/event:")
            elif chosen == "auto":
                st.warning(f"**{rep.column}**: {rep.note}", icon=":material/event_busy:")
            else:
                st.info(f"**{rep.column}** is read {chosen}, as you chose.", icon=":material/event:")
            options = list(views.DATE_ORDER_CHOICES)
            choice = st.radio(f"Read '{rep.column}' as", options, horizontal=True,
                              index=options.index(chosen) if chosen in options else 0,
                              format_func=views.DATE_ORDER_CHOICES.get, key=f"tl_order_{cur.dataset_id}_{rep.column}")
            if st.button(f"Re-read '{rep.column}'", key=f"tl_reorder_{rep.column}", disabled=choice == chosen):
                state.remap(views.with_date_order(prep, rep.column, choice))
                st.rerun()

with tab_quality:
    q = prep.quality
    c = st.columns(4)
    c[0].metric("Rows read", f"{q.rows_read:,}")
    c[1].metric("Duplicates removed", f"{q.duplicates_removed:,}")
    c[2].metric("Rows used", f"{q.rows_used:,}")
    quality_rows = views.quality_table(prep, state.dashboard())
    renamed = sum(1 for f in q.findings if f.kind == "header_renamed")
    c[3].metric("Findings", f"{len(quality_rows) - renamed:,}",
                help="The rows of the table below, headers renamed aside: what the file or the figures had to "
                     "leave out or guess, each with its count.")
    st.dataframe(quality_rows, hide_index=True, width="stretch", placeholder=state.EMPTY_CELL,
                 # the finding's words are the point of the table: give them the room, the numbers little
                 column_config={"severity": st.column_config.TextColumn(width="small"),
                                "what": st.column_config.TextColumn(width=560),
                                "rows": st.column_config.NumberColumn(width="small", format="localized")})

with tab_plan:
    st.caption("What happens to each column in the file you download. Personal columns become tokens "
               "('Agent 7'), free text is scrubbed of names, e-mails, phones and links.")
    plan_table = views.plan_table(cur)
    edited_plan = st.data_editor(
        plan_table, hide_index=True, width="stretch", key=f"tl_plan_{cur.dataset_id}", placeholder=state.EMPTY_CELL,
        disabled=["column", "role", "detail"],
        column_config={"action": st.column_config.SelectboxColumn("action", options=views.ACTIONS)},
    )
    if st.button("Apply plan", icon=":material/shield:"):
        state.set_plan(views.plan_from_table(cur, edited_plan))
        st.rerun()

    column = views.generalizable_column(cur)
    if column:
        st.markdown(f"**Shown names for `{column}`**: replace internal codes (e.g. vendor product codes) "
                    "with names you can share.")
        names = st.data_editor(views.value_map_table(cur, column), hide_index=True, width="stretch",
                               key=f"tl_vmap_{cur.dataset_id}_{cur.cleaned.plan_id}", disabled=["value", "rows"],
                               placeholder=state.EMPTY_CELL)
        g1, g2, g3 = st.columns(3)
        if g1.button("Use these names", icon=":material/edit_note:"):
            state.set_plan(views.plan_with_value_map(cur, column, views.value_map_from_table(names)))
            st.rerun()
        if g2.button("Strip vendor prefixes", icon=":material/auto_fix_high:",
                     help="ACME_BULK_SMS -> Bulk Sms: the prefix shared by every value is removed."):
            state.set_plan(views.plan_with_value_map(cur, column, views.preset_value_map(cur, column)))
            st.rerun()
        vmap = g3.file_uploader("Load a name map (TOML)", type=["toml"], key=f"tl_vmap_up_{cur.dataset_id}",
                                label_visibility="collapsed", max_upload_size=views.SETTINGS_FILE_MB)
        if vmap is not None and st.session_state.get("tl_vmap_done") != vmap.file_id:
            st.session_state["tl_vmap_done"] = vmap.file_id
            try:
                state.set_plan(views.plan_with_value_map(cur, column, views.value_map_from_toml(vmap.getvalue())))
                st.rerun()
            except state.InputError as err:
                st.error(str(err), icon=":material/error:")
