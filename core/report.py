"""Plain-text and JSON renderings of a prepared upload and of the SLA summary, for the CLI."""
from __future__ import annotations

from typing import Any, Sequence

from core.durations import readable
from core.pipeline import Prepared
from core.quality import Finding
from core.views import NEGATIVE_WORDS


def inspect_dict(prepared: Prepared) -> dict[str, Any]:
    """The detected mapping, date formats and quality report as plain data."""
    raw, mapping = prepared.raw, prepared.mapping
    return {
        "file": {"kind": raw.file_kind, "encoding": raw.encoding, "delimiter": raw.delimiter,
                 "sheet": raw.sheet, "sheets": list(raw.sheets), "header_row": raw.header_row},
        "shape": mapping.shape,
        "roles": [{"role": c.role, "column": c.column, "how": c.how, "confidence": round(c.confidence, 2)}
                  for c in mapping.choices],
        "personal_columns": dict(mapping.personal),
        "free_text_columns": list(mapping.free_text),
        "unknown_values": {k: list(v) for k, v in mapping.unknown_values.items()},
        "renamed_headers": [{"original": o, "name": n, "why": w} for o, n, w in raw.renamed],
        "dates": [{"column": d.column, "order": d.order, "formats": dict(d.formats), "parsed": d.parsed,
                   "empty": d.empty, "failed": d.failed, "failed_rows": list(d.failed_rows[:20]),
                   "failed_examples": list(d.failed_examples), "note": d.note} for d in prepared.dates],
        "quality": prepared.quality.counts(),
        "findings": [{"kind": f.kind, "column": f.column, "count": f.count, "rows": list(f.rows[:20]),
                      "message": f.message} for f in prepared.quality.findings],
        "events": len(prepared.events),
        "tickets": int(prepared.events["ticket_id"].nunique()),
    }


def inspect_text(prepared: Prepared) -> str:
    d = inspect_dict(prepared)
    f = d["file"]
    lines = [f"File: {f['kind']}" + (f", sheet '{f['sheet']}'" if f["sheet"] else "")
             + (f", encoding {f['encoding']}, delimiter {f['delimiter']!r}" if f["kind"] == "csv" else "")
             + f", header on row {f['header_row']}",
             f"Shape: {d['shape']} ({d['events']:,} events, {d['tickets']:,} tickets)", "", "Columns by role:"]
    for r in d["roles"]:
        col = r["column"] if r["column"] else "(not found)"
        lines.append(f"  {r['role']:<20} {col:<32} {r['confidence']:.0%}  {r['how']}")
    if d["personal_columns"]:
        lines.append("Personal columns (tokenized on export): "
                     + ", ".join(f"{c} -> {lab}" for c, lab in d["personal_columns"].items()))
    if d["free_text_columns"]:
        lines.append("Free text (scrubbed on export): " + ", ".join(d["free_text_columns"]))
    for role, vals in d["unknown_values"].items():
        if vals:
            lines.append(f"Unrecognised {role} values: {', '.join(vals[:10])}")
    if d["renamed_headers"]:
        lines += ["", "Headers renamed:"]
        lines += [f"  {r['original']!r} -> {r['name']!r} ({r['why']})" for r in d["renamed_headers"]]
    lines += ["", "Date columns:"]
    for x in d["dates"]:
        fmts = ", ".join(f"{k} x{v:,}" for k, v in x["formats"].items()) or "-"
        lines.append(f"  {x['column']}: {x['order']}; {x['parsed']:,} parsed, {x['empty']:,} empty, "
                     f"{x['failed']:,} failed; formats: {fmts}")
        if x["note"]:
            lines.append(f"    note: {x['note']}")
        if x["failed"]:
            lines.append(f"    failed rows: {', '.join(map(str, x['failed_rows']))}")
    q = prepared.quality
    lines += ["", f"Quality: {q.rows_read:,} rows read, {q.duplicates_removed:,} duplicates removed, "
                  f"{q.rows_used:,} rows used."]
    for fnd in q.findings:
        if fnd.kind == "header_renamed":
            continue
        rows = f" (rows {', '.join(map(str, fnd.rows[:10]))}{'…' if fnd.count > 10 else ''})" if fnd.rows else ""
        lines.append(f"  - {fnd.message}: {fnd.count:,}{rows}")
    return "\n".join(lines)


def _dur(block: dict, key: str) -> str:
    return readable(block.get(key)) or "-"  # nothing measured: a dash, as for the rates


def _pct(part, whole) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def _waiting_split(te: dict[str, Any]) -> str:
    """Still-waiting tier events by their ticket, with those on open tickets already past their SLA (as the app)."""
    open_, since = te["still_waiting_open"], te["still_waiting_resolved_since"]
    overdue = f", {te['tier_overdue_open']:,} of them past SLA" if open_ else ""
    return f"{open_:,} on open tickets{overdue}; {since:,} on tickets resolved or closed since"


_BLANK = "(blank)"  # core.metrics.SUMMARY_BLANK, the by_<dimension> key of blank values (not imported: inspect stays light)
NO_ALLOWANCE = "no allowance in the SLA policy: not rated"
NO_PRIORITY = "priority blank or not recognised, so no allowance applies: not rated"


def _rate(b: dict[str, Any]) -> str:
    """'50.0% breached of 2 rated (3 measured not rated)': the app's rate, breached / rated."""
    unrated = b["measured"] - b["rated"]
    return (f"{_pct(b['breached'], b['rated'])} breached of {b['rated']:,} rated"
            + (f" ({unrated:,} measured not rated)" if unrated > 0 else ""))


def _events(n: int) -> str:
    return f"{n:,} measured tier event{'' if n == 1 else 's'} {'has' if n == 1 else 'have'}"


def _not_rated(s: dict[str, Any], metric: str) -> list[str]:
    """The line saying how many measured events have no allowance and which priorities they have (none if all rated)."""
    b = s["tier_events" if metric == "tier_events" else "frt"]
    unrated = b["measured"] - b["rated"]
    if unrated <= 0:
        return []
    counts = {p: g[metric]["measured"] - g[metric]["rated"] for p, g in s.get("by_priority", {}).items()}
    parts = [f"{'blank or not recognised' if p == _BLANK else p} {n:,}" for p, n in counts.items() if n > 0]
    which = f" ({', '.join(parts)})" if parts else ""
    none = " or none" if counts.get(_BLANK, 0) > 0 else ""
    return [f"  {_events(unrated)} a priority the SLA policy does not name{none}{which}: not rated."]


def _no_allowance(s: dict[str, Any], priority: str, b: dict[str, Any]) -> bool:
    """A priority whose tier events are never rated: unnamed by the policy, blank, or measured and never rated."""
    t, f = b["tier_events"], b["frt"]
    if t["rated"] or f["rated"]:
        return False
    return (priority == _BLANK or priority in s.get("quality", {}).get("unnamed_priorities", ())
            or bool(t["measured"] or f["measured"]))


def summary_text(s: dict[str, Any], findings: Sequence[Finding] | None = None) -> str:
    """The analyze command's readable summary: the app's rates (breached / rated), the unrated said apart;
    with ``findings`` (the upload's quality findings), a data-quality section at the end."""
    te, frt = s["tier_events"], s["frt"]
    lines = [
        f"{s['rows']:,} events ({s['duplicates_removed']:,} duplicates removed), {s['tickets']:,} tickets, "
        f"{s['tiered_tickets']:,} entered a tier.",
        "",
        f"{te['count']:,} tier events (waiting events inside a tier).",
        f"Tier SLA: {te['breached']:,} of {te['rated']:,} rated tier events breached ({_pct(te['breached'], te['rated'])}); "
        f"{te['still_waiting']:,} still waiting ({_waiting_split(te)}).",
        *_not_rated(s, "tier_events"),
        f"  time in tier: mean {_dur(te, 'mean_s')}, median {_dur(te, 'median_s')}, p90 {_dur(te, 'p90_s')} "
        f"({te['measured']:,} measured)",
        f"FRT: {frt['breached']:,} of {frt['rated']:,} rated tier events breached ({_pct(frt['breached'], frt['rated'])}).",
        *_not_rated(s, "frt"),
        f"  first response: mean {_dur(frt, 'mean_s')}, median {_dur(frt, 'median_s')}, p90 {_dur(frt, 'p90_s')} "
        f"({frt['measured']:,} measured)",
    ]
    for name in ("resolution", "closing"):
        a = s[name]["all"]
        lines.append(f"{name.capitalize()} time ({a['tickets']:,} tickets): mean {_dur(a, 'mean_s')}, "
                     f"median {_dur(a, 'median_s')}, p90 {_dur(a, 'p90_s')}")
    if s.get("reach"):
        lines.append("Reach of tiered tickets: " + ", ".join(f"{t} {v:.0%}" for t, v in s["reach"].items()
                                                          if v is not None))
    lines += ["", "By tier:"]
    for tier, b in s.get("by_tier", {}).items():
        t, f = b["tier_events"], b["frt"]
        lines.append(f"  {tier}: tier SLA {_rate(t)}, mean {_dur(t, 'mean_s')}; FRT {_rate(f)}, mean {_dur(f, 'mean_s')}")
    lines += ["", "By priority:"]
    for pr, b in s.get("by_priority", {}).items():
        t, f = b["tier_events"], b["frt"]
        if _no_allowance(s, pr, b):
            lines.append(f"  {pr}: {NO_PRIORITY if pr == _BLANK else NO_ALLOWANCE} ({t['measured']:,} measured for time in tier, "
                         f"{f['measured']:,} for FRT)")
        else:
            lines.append(f"  {pr}: tier SLA {_rate(t)}; FRT {_rate(f)}")
    if findings is not None:
        lines += ["", *quality_lines(findings, s.get("quality", {}))]
    return "\n".join(lines)


def quality_lines(findings: Sequence[Finding], counts: dict[str, Any]) -> list[str]:
    """The data-quality report in a few lines: every finding of the file (renamed headers aside) and
    what the figures had to leave out, each with its count and first rows, as the app's Data quality tab."""
    shown = [f for f in findings if f.kind != "header_renamed" and f.count]
    out = []
    for f in shown:
        where = f" ('{f.column}')" if f.column and f"'{f.column}'" not in f.message else ""
        rows = f" (rows {', '.join(map(str, f.rows[:5]))}{' …' if f.count > 5 else ''})" if f.rows else ""
        out.append(f"  [{f.severity}] {f.message[:1].upper()}{f.message[1:]}{where}: {f.count:,}{rows}")
    for key, words in NEGATIVE_WORDS.items():  # what the figures left out, in the app's words
        if counts.get(key):
            out.append(f"  [warning] {words}: {counts[key]:,}")
    if not out:
        return ["Data quality: nothing to report."]
    return [f"Data quality ({len(out)} finding{'s' if len(out) != 1 else ''}; "
            "`inspect` lists them with their rows):", *out]
