-- attribution: which tier used the time budget of tickets that breached end to end.
-- grain: one row per tier with time in tier in any end-to-end-breached ticket.
-- reads: tier_events
-- parameters: none (tier_events is already filtered)
-- method:
--   A ticket's tier time = the sum of the time in tier of its tier events (non-negative
--   ones; two waiting events answered by the same IN_PROGRESS both count, as in the
--   per-event metric). Its budget = the largest tier allowance among those events. It
--   breached end to end when its tier time is strictly greater than its budget.
--   For those tickets: tier_time_s = the tier's summed time in tier; pooled_share =
--   tier_time_s / all tiers' tier_time_s; mean_share = the average over breached tickets of
--   (the tier's time / the ticket's tier time), a ticket with no time in the tier counting
--   0; tickets = breached tickets with time in the tier.
with
per_tier as (
    select
        ticket_id,
        tier,
        sum(tier_s) as tier_time_s,
        max(tier_allowance_s) as budget_s
    from tier_events
    where tier_s >= 0
    group by ticket_id, tier
),
per_ticket as (
    select
        ticket_id,
        sum(tier_time_s) as total_s,
        max(budget_s) as budget_s
    from per_tier
    group by ticket_id
),
breached as (
    select
        ticket_id,
        total_s
    from per_ticket
    where total_s > budget_s
),
totals as (
    select
        count(*) as breached_tickets,
        sum(total_s) as all_s
    from breached
)
select
    p.tier,
    count(*) as tickets,
    any_value(t.breached_tickets) as breached_tickets,
    sum(p.tier_time_s) as tier_time_s,
    sum(p.tier_time_s) / nullif(any_value(t.all_s), 0) as pooled_share,
    sum(p.tier_time_s / nullif(b.total_s, 0)) / any_value(t.breached_tickets) as mean_share
from per_tier as p
join breached as b
    on p.ticket_id = b.ticket_id
cross join totals as t
group by p.tier
order by
    p.tier
