-- funnel: how far tiered tickets escalate, and the time they spend in each tier.
-- grain: one row per tier (TIER_1 .. TIER_3 always, TIER_4 when any ticket reached it).
-- reads: tickets, tier_events
-- parameters: none (both inputs are already filtered)
-- method:
--   reach = tickets_reached / tiered_tickets (tiered = at least one event in a real tier;
--   reached = at least one event in that tier). highest = tickets whose highest tier it is.
--   contained = tickets that visited this tier and no other; containment = contained /
--   tiered_tickets (on the TIER_1 row: tier-1 containment). Times are over the tier's tier
--   events with a non-negative duration; percentiles are quantile_cont.
with
tiers as (
    select
        tier,
        tier_rank
    from (values ('TIER_1', 1), ('TIER_2', 2), ('TIER_3', 3), ('TIER_4', 4)) as t(tier, tier_rank)
),
reach as (
    select
        count(*) filter (where tiered) as tiered_tickets,
        count(*) filter (where reached_tier_1) as r1,
        count(*) filter (where reached_tier_2) as r2,
        count(*) filter (where reached_tier_3) as r3,
        count(*) filter (where reached_tier_4) as r4,
        count(*) filter (where tiers_visited = 1 and reached_tier_1) as c1,
        count(*) filter (where tiers_visited = 1 and reached_tier_2) as c2,
        count(*) filter (where tiers_visited = 1 and reached_tier_3) as c3,
        count(*) filter (where tiers_visited = 1 and reached_tier_4) as c4
    from tickets
),
highest as (
    select
        highest_tier as tier,
        count(*) as tickets_highest
    from tickets
    where tiered
    group by highest_tier
),
times as (
    select
        tier,
        count(*) as tier_events,
        count(tier_s) filter (where tier_s >= 0) as tier_measured,
        count(*) filter (where tier_breached) / nullif(count(tier_breached), 0) as tier_breach_rate,
        avg(tier_s) filter (where tier_s >= 0) as tier_mean_s,
        quantile_cont(tier_s, [0.5, 0.9]) filter (where tier_s >= 0) as tier_q,
        avg(frt_s) filter (where frt_s >= 0) as frt_mean_s,
        quantile_cont(frt_s, [0.5, 0.9]) filter (where frt_s >= 0) as frt_q,
        count(*) filter (where frt_breached) / nullif(count(frt_breached), 0) as frt_breach_rate
    from tier_events
    group by tier
),
funnel as (
    select
        t.tier,
        t.tier_rank,
        r.tiered_tickets,
        [r.r1, r.r2, r.r3, r.r4][t.tier_rank] as tickets_reached,
        [r.c1, r.c2, r.c3, r.c4][t.tier_rank] as contained
    from tiers as t, reach as r
)
select
    f.tier,
    f.tier_rank,
    f.tiered_tickets,
    f.tickets_reached,
    f.tickets_reached / nullif(f.tiered_tickets, 0) as reach,
    coalesce(h.tickets_highest, 0) as tickets_highest,
    f.contained,
    f.contained / nullif(f.tiered_tickets, 0) as containment,
    coalesce(m.tier_events, 0) as tier_events,
    coalesce(m.tier_measured, 0) as tier_measured,
    m.tier_breach_rate,
    m.tier_mean_s,
    m.tier_q[1] as tier_median_s,
    m.tier_q[2] as tier_p90_s,
    m.frt_breach_rate,
    m.frt_mean_s,
    m.frt_q[1] as frt_median_s,
    m.frt_q[2] as frt_p90_s
from funnel as f
left join highest as h
    on f.tier = h.tier
left join times as m
    on f.tier = m.tier
where f.tier_rank <= 3
    or f.tickets_reached > 0
order by
    f.tier_rank
