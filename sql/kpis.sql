-- kpis: the headline figures of the filtered data.
-- grain: one row.
-- reads: tier_events, tickets
-- parameters: $small_share (double): a product is small when its share of tickets is under it
-- method:
--   *_measured = tier events with a non-negative duration (time in tier / FRT); averages and
--   percentiles use exactly those. *_rated = measured ones whose priority has an allowance;
--   breach rate = breached / rated (= breached / measured when every priority is known).
--   Percentiles are quantile_cont (linear interpolation). *_over_* = duration - allowance
--   of the breached ones ("how far over").
--   still_waiting splits into *_open (no RESOLVED / CLOSED of the ticket at or after the tier
--   event: a live wait) and *_resolved_since (the ticket was resolved or closed after it without
--   a response in that tier); the same split for frt_overdue and tier_overdue. The two parts
--   always add up to the whole.
--   Resolution and closing: per ticket, non-negative values only; tiered_* = tiered tickets.
with
te as (
    select
        count(*) as tier_events,
        count(tier_s) filter (where tier_s >= 0) as tier_measured,
        count(tier_breached) as tier_rated,
        count(*) filter (where tier_breached) as tier_breached,
        avg(tier_s) filter (where tier_s >= 0) as tier_mean_s,
        quantile_cont(tier_s, [0.5, 0.9]) filter (where tier_s >= 0) as tier_q,
        max(tier_s) filter (where tier_s >= 0) as tier_max_s,
        avg(tier_over_s) as tier_over_mean_s,
        quantile_cont(tier_over_s, 0.5) as tier_over_median_s,
        count(frt_s) filter (where frt_s >= 0) as frt_measured,
        count(frt_breached) as frt_rated,
        count(*) filter (where frt_breached) as frt_breached,
        avg(frt_s) filter (where frt_s >= 0) as frt_mean_s,
        quantile_cont(frt_s, [0.5, 0.9]) filter (where frt_s >= 0) as frt_q,
        max(frt_s) filter (where frt_s >= 0) as frt_max_s,
        avg(frt_over_s) as frt_over_mean_s,
        quantile_cont(frt_over_s, 0.5) as frt_over_median_s,
        count(*) filter (where still_waiting) as still_waiting,
        count(*) filter (where frt_overdue) as frt_overdue,
        count(*) filter (where tier_overdue) as tier_overdue,
        count(*) filter (where waiting_on_open_ticket) as still_waiting_open,
        count(*) filter (where frt_overdue and waiting_on_open_ticket) as frt_overdue_open,
        count(*) filter (where tier_overdue and waiting_on_open_ticket) as tier_overdue_open,
        count(*) filter (where frt_negative) as negative_frt,
        count(*) filter (where tier_negative) as negative_tier,
        count(*) filter (where not allowance_known) as unknown_priority_events
    from tier_events
),
tk as (
    select
        count(*) as tickets,
        count(*) filter (where tiered) as tiered_tickets,
        count(resolution_s) filter (where resolution_s >= 0) as resolution_tickets,
        avg(resolution_s) filter (where resolution_s >= 0) as resolution_mean_s,
        quantile_cont(resolution_s, [0.5, 0.9]) filter (where resolution_s >= 0) as resolution_q,
        max(resolution_s) filter (where resolution_s >= 0) as resolution_max_s,
        count(resolution_s) filter (where resolution_s >= 0 and tiered) as tiered_resolution_tickets,
        avg(resolution_s) filter (where resolution_s >= 0 and tiered) as tiered_resolution_mean_s,
        quantile_cont(resolution_s, [0.5, 0.9]) filter (where resolution_s >= 0 and tiered) as tiered_resolution_q,
        max(resolution_s) filter (where resolution_s >= 0 and tiered) as tiered_resolution_max_s,
        count(closing_s) filter (where closing_s >= 0) as closing_tickets,
        avg(closing_s) filter (where closing_s >= 0) as closing_mean_s,
        quantile_cont(closing_s, [0.5, 0.9]) filter (where closing_s >= 0) as closing_q,
        max(closing_s) filter (where closing_s >= 0) as closing_max_s,
        count(closing_s) filter (where closing_s >= 0 and tiered) as tiered_closing_tickets,
        avg(closing_s) filter (where closing_s >= 0 and tiered) as tiered_closing_mean_s,
        quantile_cont(closing_s, [0.5, 0.9]) filter (where closing_s >= 0 and tiered) as tiered_closing_q,
        max(closing_s) filter (where closing_s >= 0 and tiered) as tiered_closing_max_s,
        count(*) filter (where resolution_negative) as negative_resolution,
        count(*) filter (where closing_negative) as negative_closing,
        count(*) filter (where reopened) as reopened_tickets,
        count(*) filter (where ping_pong) as ping_pong_tickets,
        count(*) filter (where escalations > 0) as escalated_tickets
    from tickets
),
products as (
    select
        count(*) / sum(count(*)) over () as share
    from tickets
    group by product
),
small as (
    select
        count(*) filter (where share < $small_share) as small_products,
        coalesce(sum(share) filter (where share < $small_share), 0) as small_products_share
    from products
)
select
    tk.tickets,
    tk.tiered_tickets,
    te.tier_events,
    te.tier_measured,
    te.tier_rated,
    te.tier_breached,
    te.tier_rated - te.tier_breached as tier_unbreached,
    te.tier_breached / nullif(te.tier_rated, 0) as tier_breach_rate,
    te.tier_mean_s,
    te.tier_q[1] as tier_median_s,
    te.tier_q[2] as tier_p90_s,
    te.tier_max_s,
    te.tier_over_mean_s,
    te.tier_over_median_s,
    te.frt_measured,
    te.frt_rated,
    te.frt_breached,
    te.frt_rated - te.frt_breached as frt_unbreached,
    te.frt_breached / nullif(te.frt_rated, 0) as frt_breach_rate,
    te.frt_mean_s,
    te.frt_q[1] as frt_median_s,
    te.frt_q[2] as frt_p90_s,
    te.frt_max_s,
    te.frt_over_mean_s,
    te.frt_over_median_s,
    te.still_waiting,
    te.frt_overdue,
    te.tier_overdue,
    te.still_waiting_open,
    te.still_waiting - te.still_waiting_open as still_waiting_resolved_since,
    te.frt_overdue_open,
    te.frt_overdue - te.frt_overdue_open as frt_overdue_resolved_since,
    te.tier_overdue_open,
    te.tier_overdue - te.tier_overdue_open as tier_overdue_resolved_since,
    te.negative_frt,
    te.negative_tier,
    te.unknown_priority_events,
    tk.resolution_tickets,
    tk.resolution_mean_s,
    tk.resolution_q[1] as resolution_median_s,
    tk.resolution_q[2] as resolution_p90_s,
    tk.resolution_max_s,
    tk.tiered_resolution_tickets,
    tk.tiered_resolution_mean_s,
    tk.tiered_resolution_q[1] as tiered_resolution_median_s,
    tk.tiered_resolution_q[2] as tiered_resolution_p90_s,
    tk.tiered_resolution_max_s,
    tk.closing_tickets,
    tk.closing_mean_s,
    tk.closing_q[1] as closing_median_s,
    tk.closing_q[2] as closing_p90_s,
    tk.closing_max_s,
    tk.tiered_closing_tickets,
    tk.tiered_closing_mean_s,
    tk.tiered_closing_q[1] as tiered_closing_median_s,
    tk.tiered_closing_q[2] as tiered_closing_p90_s,
    tk.tiered_closing_max_s,
    tk.negative_resolution,
    tk.negative_closing,
    tk.reopened_tickets,
    tk.ping_pong_tickets,
    tk.escalated_tickets,
    small.small_products,
    small.small_products_share
from te, tk, small
order by
    tk.tickets
