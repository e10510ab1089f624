-- floor_tier_metrics: the floor reference's answer: per tier, its tier events, responses and breaches.
-- grain: one row per tier present in the data (TIER_1 .. TIER_4).
-- reads: ev (ticket_id, status, tier, priority, event_time, work_resolved_time, first_response_time;
--   one row per file row, timestamps already parsed), allowances (priority, tier, metric,
--   allowance_s: the default policy's table)
-- parameters: none
-- method: the least work that gives the same figures as sql/tier_events.sql under the default
--   policy: exact copies dropped on the columns used (with first_response_time, which tells apart
--   two waits of one ticket logged at the same instant), then for every waiting event in a tier the
--   next IN_PROGRESS of the same ticket and tier strictly after it (as-of join). frt = response -
--   event; time in tier = the response row's work resolved time - event. Breach = duration >= 0
--   and strictly greater than the allowance.
with
events as (
    select distinct
        ticket_id,
        status,
        tier,
        priority,
        event_time,
        work_resolved_time,
        first_response_time
    from ev
    where tier in ('TIER_1', 'TIER_2', 'TIER_3', 'TIER_4')
        and event_time is not null
),
waits as (
    select
        ticket_id,
        tier,
        priority,
        event_time
    from events
    where status in ('OPEN', 'ESCALATED', 'ON_STANDBY', 'TRIAGE')
),
responses as (
    select
        ticket_id,
        tier,
        event_time as response_time,
        work_resolved_time
    from events
    where status = 'IN_PROGRESS'
),
measured as (
    select
        w.tier,
        r.response_time,
        epoch(r.response_time - w.event_time) as frt_s,
        epoch(r.work_resolved_time - w.event_time) as tier_s,
        fa.allowance_s as frt_allowance_s,
        ta.allowance_s as tier_allowance_s
    from waits as w
    asof left join responses as r
        on w.ticket_id = r.ticket_id
        and w.tier = r.tier
        and r.response_time > w.event_time
    left join allowances as fa
        on fa.metric = 'frt'
        and w.priority = fa.priority
        and w.tier = fa.tier
    left join allowances as ta
        on ta.metric = 'tier'
        and w.priority = ta.priority
        and w.tier = ta.tier
)
select
    tier,
    count(*) as tier_events,
    count(response_time) as responded,
    count(*) filter (where frt_s >= 0 and frt_s > frt_allowance_s) as frt_breached,
    count(*) filter (where tier_s >= 0 and tier_s > tier_allowance_s) as tier_breached,
    quantile_cont(frt_s, 0.5) filter (where frt_s >= 0) as frt_median_s
from measured
group by tier
order by tier
