-- tier_events: every tier event with its first response, time in tier, allowance and breach.
-- grain: one row per tier event = an event whose status is a waiting status (OPEN, ESCALATED,
--   ON_STANDBY, TRIAGE) in a real tier (tier not null) with a known event_time.
-- reads: events, allowances, work_days
--   allowances(priority, tier, metric, allowance_s): core.policy.allowance_table
--   work_days(day, before_us, s1, e1, s2, e2, s3, e3): one row per day of the data's zone
--   with the working time before it and that day's working pieces (core.policy.clock_days,
--   built from the business calendar's working intervals; full_days for the calendar clock)
-- parameters:
--   $export_end      timestamp: the export's last event_time (whole table, not filtered);
--                    still-waiting events are aged at it
--   $clocked         boolean: true = measure on the work_days calendar and subtract
--                    paused time; false = plain calendar time (fast path, same result as
--                    an always-open calendar without pauses)
--   $pause_statuses  list of statuses during which the clock stops ([] = none)
--   $date_from, $date_to      timestamps or null: date_from <= event_time <= date_to
--   $<dimension>_in  list of allowed values or null (= all) for tier, priority, product,
--                    issue_type, issue_category, issue_status, region, country, client, agent
-- method:
--   The response is the next IN_PROGRESS event of the same ticket in the same tier strictly
--   after the tier event (as-of join; a same-timestamp IN_PROGRESS is not a response).
--   Several IN_PROGRESS events at one instant: the lowest source_row is the response.
--   frt = response event_time - event_time; time in tier = the response row's
--   work_resolved_time - event_time. Clocked durations use B(t) = working microseconds
--   before t = before_us of t's day + the overlap of [day, t] with each of that day's
--   working pieces, found by an equality join on the day; B(end) - B(start) is then exactly
--   the sum of the overlaps of [start, end] with every working interval (prefix sums
--   instead of a range join over all intervals). Paused time is the same prefix-sum trick
--   per ticket over pause intervals (a paused-status event until the ticket's next event,
--   or the export end), measured on the same clock, found by an as-of join, and subtracted.
--   A negative duration is a data error: its breach flag is null and it is flagged.
--   No response: still waiting, aged at $export_end; overdue once age > allowance.
--   A still-waiting event is on an open ticket unless the ticket (any tier, any row, filters
--   aside) has a RESOLVED or CLOSED event at or after it: resolved_since_time is the first such
--   event (a same-timestamp one counts: nothing after the wait was recorded before it), and a
--   later reopening does not make the old wait open again (the reopening's own tier events
--   are counted themselves).
--   Breach = duration strictly greater than the allowance; over_s = duration - allowance.
with
waits as materialized (
    select
        -- a row key: any numbering will do, as the CTE is materialized once
        row_number() over () as te_id,
        source_row,
        ticket_id,
        tier,
        status,
        priority,
        event_time,
        product,
        issue_type,
        issue_category,
        issue_status,
        region,
        country,
        client,
        agent
    from events
    where status in ('OPEN', 'ESCALATED', 'ON_STANDBY', 'TRIAGE')
        and tier is not null
        and event_time is not null
        and ($date_from is null or event_time >= $date_from)
        and ($date_to is null or event_time <= $date_to)
        and ($tier_in is null or list_contains($tier_in, tier))
        and ($priority_in is null or list_contains($priority_in, priority))
        and ($product_in is null or list_contains($product_in, product))
        and ($issue_type_in is null or list_contains($issue_type_in, issue_type))
        and ($issue_category_in is null or list_contains($issue_category_in, issue_category))
        and ($issue_status_in is null or list_contains($issue_status_in, issue_status))
        and ($region_in is null or list_contains($region_in, region))
        and ($country_in is null or list_contains($country_in, country))
        and ($client_in is null or list_contains($client_in, client))
        and ($agent_in is null or list_contains($agent_in, agent))
),
responses as (
    select
        ticket_id,
        tier,
        event_time as response_time,
        arg_min_null(work_resolved_time, source_row) as work_resolved_time,
        min(source_row) as response_row
    from events
    where status = 'IN_PROGRESS'
        and tier is not null
        and event_time is not null
    group by ticket_id, tier, event_time
),
-- the as-of join carries only the keys; the wide columns join back by te_id (faster)
wait_keys as (
    select
        te_id,
        ticket_id,
        tier,
        event_time
    from waits
),
matched_keys as (
    select
        w.te_id,
        r.response_row,
        r.response_time,
        r.work_resolved_time
    from wait_keys as w
    asof left join responses as r
        on w.ticket_id = r.ticket_id
        and w.tier = r.tier
        and r.response_time > w.event_time
),
-- a resolution or closure of the ticket ends an unanswered wait (see the header)
endings as (
    select
        ticket_id,
        event_time as ended_time
    from events
    where status in ('RESOLVED', 'CLOSED')
        and event_time is not null
),
unanswered_keys as (
    select
        w.te_id,
        w.ticket_id,
        w.event_time
    from wait_keys as w
    join matched_keys as m
        on w.te_id = m.te_id
    where m.response_time is null
),
ended_keys as (
    select
        u.te_id,
        e.ended_time
    from unanswered_keys as u
    asof join endings as e
        on u.ticket_id = e.ticket_id
        and e.ended_time >= u.event_time
),
matched as (
    select
        w.*,
        m.response_row,
        m.response_time,
        m.work_resolved_time,
        x.ended_time
    from waits as w
    join matched_keys as m
        on w.te_id = m.te_id
    left join ended_keys as x
        on w.te_id = x.te_id
),
allow as (
    select
        priority,
        tier,
        max(allowance_s) filter (where metric = 'frt') as frt_allowance_s,
        max(allowance_s) filter (where metric = 'tier') as tier_allowance_s
    from allowances
    group by all
),
-- clocked path only (empty unless $clocked): the instants each duration needs
points as (
    select
        te_id,
        ticket_id,
        unnest([0, 1, 2, 3]) as k,
        unnest([
            event_time,
            response_time,
            work_resolved_time,
            case when response_time is null then $export_end::timestamp end
        ]) as t
    from matched
    where $clocked
),
pause_rows as (
    select
        ticket_id,
        status,
        event_time as pause_start,
        coalesce(lead(event_time) over (partition by ticket_id order by event_time, source_row),
                 greatest($export_end::timestamp, event_time)) as pause_end
    from events
    where $clocked
        and len($pause_statuses) > 0
        and event_time is not null
        -- only tickets that ever pause need the window over their events
        and ticket_id in (
            select ticket_id from events where list_contains($pause_statuses, status)
            intersect
            select ticket_id from waits
        )
    qualify list_contains($pause_statuses, status)
),
pause_points as (
    select
        ticket_id,
        pause_start,
        unnest([0, 1]) as k,
        unnest([pause_start, pause_end]) as t
    from pause_rows
),
pause_clocked as (
    select
        p.ticket_id,
        p.pause_start,
        p.k,
        d.before_us
            + coalesce(epoch_us(least(greatest(p.t, d.s1), d.e1)) - epoch_us(d.s1), 0)
            + coalesce(epoch_us(least(greatest(p.t, d.s2), d.e2)) - epoch_us(d.s2), 0)
            + coalesce(epoch_us(least(greatest(p.t, d.s3), d.e3)) - epoch_us(d.s3), 0) as b_us
    from pause_points as p
    left join work_days as d
        on d.day = date_trunc('day', p.t)
),
pauses as (
    select
        ticket_id,
        pause_start,
        max(b_us) filter (where k = 0) as b_start,
        max(b_us) filter (where k = 1) as b_end
    from pause_clocked
    group by ticket_id, pause_start
),
pauses_cum as (
    select
        ticket_id,
        pause_start,
        b_start,
        b_end,
        coalesce(sum(b_end - b_start) over (
            partition by ticket_id order by pause_start
            rows between unbounded preceding and 1 preceding), 0) as paused_before_us
    from pauses
),
clocked as (
    select
        p.te_id,
        p.k,
        p.ticket_id,
        p.t,
        d.before_us
            + coalesce(epoch_us(least(greatest(p.t, d.s1), d.e1)) - epoch_us(d.s1), 0)
            + coalesce(epoch_us(least(greatest(p.t, d.s2), d.e2)) - epoch_us(d.s2), 0)
            + coalesce(epoch_us(least(greatest(p.t, d.s3), d.e3)) - epoch_us(d.s3), 0) as b_us
    from points as p
    left join work_days as d
        on d.day = date_trunc('day', p.t)
    where p.t is not null
),
pausing as (
    select distinct
        ticket_id
    from pauses_cum
),
-- only the instants of tickets that ever pause go through the as-of join (the rest: no pause)
clocked_pausing as (
    select
        te_id,
        k,
        ticket_id,
        t,
        b_us
    from clocked
    where ticket_id in (select ticket_id from pausing)
),
net as (
    select
        c.te_id,
        c.k,
        c.b_us - coalesce(q.paused_before_us + least(c.b_us, q.b_end) - q.b_start, 0) as n_us
    from clocked_pausing as c
    asof left join pauses_cum as q
        on c.ticket_id = q.ticket_id
        and c.t >= q.pause_start
    union all
    select
        te_id,
        k,
        b_us
    from clocked
    where ticket_id not in (select ticket_id from pausing)
),
net_wide as (
    select
        te_id,
        max(n_us) filter (where k = 0) as n0,
        max(n_us) filter (where k = 1) as n1,
        max(n_us) filter (where k = 2) as n2,
        max(n_us) filter (where k = 3) as n3
    from net
    group by te_id
),
measured as (
    select
        m.*,
        a.frt_allowance_s,
        a.tier_allowance_s,
        case when $clocked then (n.n1 - n.n0)
             else epoch_us(m.response_time) - epoch_us(m.event_time) end / 1e6 as frt_s,
        case when $clocked then (n.n2 - n.n0)
             else epoch_us(m.work_resolved_time) - epoch_us(m.event_time) end / 1e6 as tier_s,
        case when m.response_time is not null then null
             when $clocked then (n.n3 - n.n0)
             else epoch_us($export_end::timestamp) - epoch_us(m.event_time) end / 1e6 as age_s
    from matched as m
    left join allow as a
        on m.priority = a.priority
        and m.tier = a.tier
    left join net_wide as n
        on m.te_id = n.te_id
)
select
    source_row,
    ticket_id,
    tier,
    status,
    priority,
    event_time,
    date_trunc('month', event_time) as month,
    product,
    issue_type,
    issue_category,
    issue_status,
    region,
    country,
    client,
    agent,
    response_row,
    response_time,
    work_resolved_time,
    frt_allowance_s,
    tier_allowance_s,
    frt_allowance_s is not null as allowance_known,
    frt_s,
    tier_s,
    frt_s < 0 as frt_negative,
    tier_s < 0 as tier_negative,
    case when frt_s >= 0 then frt_s > frt_allowance_s end as frt_breached,
    case when tier_s >= 0 then tier_s > tier_allowance_s end as tier_breached,
    case when frt_s > frt_allowance_s then frt_s - frt_allowance_s end as frt_over_s,
    case when tier_s > tier_allowance_s then tier_s - tier_allowance_s end as tier_over_s,
    response_time is null as still_waiting,
    ended_time as resolved_since_time,
    response_time is null and ended_time is null as waiting_on_open_ticket,
    age_s,
    age_s > frt_allowance_s as frt_overdue,
    age_s > tier_allowance_s as tier_overdue
from measured
order by
    source_row
