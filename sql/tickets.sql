-- tickets: each ticket's lifecycle, tier path and attributes.
-- grain: one row per ticket (that passes the filters).
-- reads: events
-- parameters:
--   $date_from, $date_to   timestamps or null: applied to the ticket's start_time
--                          (its first OPEN, else its first event), inclusive
--   $<dimension>_in        list or null (= all). product, priority, issue_type,
--                          issue_category, issue_status, region, country, client: the ticket's
--                          value below; tier: the ticket visited one of the tiers; agent: one
--                          of the ticket's events names one of the agents
-- method:
--   open = first OPEN, resolved = last RESOLVED, closed = last CLOSED (ties: source_row).
--   resolution_s = resolved - open; closing_s = closed - resolved (calendar seconds); a
--   negative one is a data error, flagged, and excluded from averages downstream.
--   Attributes (priority, product, issue type, ...) are the first non-null value in time
--   order (event_time, then source_row): the value the ticket was raised with. agent is the
--   last non-null agent (who handled it last).
--   tiered: at least one event in a real tier. escalations = moves between consecutive
--   tiered events to a higher tier. ping_pong: a move down to a lower tier followed later by
--   a move up again. reopened: a waiting or IN_PROGRESS event strictly later than the
--   ticket's first RESOLVED or CLOSED event at or after its open (its first OPEN, else its
--   first event). A resolution or closure logged before the first OPEN is a data error (its
--   resolution or closing time comes out negative and is flagged), not a reopening.
with
ranked as (
    select
        ticket_id,
        source_row,
        event_time,
        status,
        tier,
        priority,
        product,
        issue_type,
        issue_category,
        issue_status,
        region,
        country,
        client,
        agent,
        list_position(['TIER_1', 'TIER_2', 'TIER_3', 'TIER_4'], tier) as tier_rank,
        -- one sortable number for (event_time, source_row): cheaper than a struct key
        epoch_us(event_time)::hugeint * 4294967296 + source_row as order_key
    from events
),
moves as (
    select
        ticket_id,
        row_number() over w as seq,
        list_position(['TIER_1', 'TIER_2', 'TIER_3', 'TIER_4'], tier) as tier_rank,
        lag(list_position(['TIER_1', 'TIER_2', 'TIER_3', 'TIER_4'], tier)) over w as prev_rank
    from events
    where tier is not null
    window w as (partition by ticket_id order by event_time nulls last, source_row)
),
paths as (
    select
        ticket_id,
        count(*) filter (where tier_rank > prev_rank) as escalations,
        coalesce(max(seq) filter (where tier_rank > prev_rank)
                 > min(seq) filter (where tier_rank < prev_rank), false) as ping_pong
    from moves
    group by ticket_id
),
per_ticket as (
    select
        e.ticket_id,
        count(*) as events,
        min(e.event_time) as first_event_time,
        max(e.event_time) as last_event_time,
        min(e.event_time) filter (where e.status = 'OPEN') as open_time,
        arg_min(e.source_row, e.order_key) filter (where e.status = 'OPEN') as open_row,
        max(e.event_time) filter (where e.status = 'RESOLVED') as resolved_time,
        arg_max(e.source_row, e.order_key) filter (where e.status = 'RESOLVED') as resolved_row,
        max(e.event_time) filter (where e.status = 'CLOSED') as closed_time,
        arg_max(e.source_row, e.order_key) filter (where e.status = 'CLOSED') as closed_row,
        min(e.event_time) filter (where e.status in ('RESOLVED', 'CLOSED')) as first_done_time,
        max(e.event_time) filter (where e.status in ('OPEN', 'ESCALATED', 'ON_STANDBY', 'TRIAGE', 'IN_PROGRESS')) as last_active_time,
        count(e.tier) > 0 as tiered,
        ['TIER_1', 'TIER_2', 'TIER_3', 'TIER_4'][max(e.tier_rank)] as highest_tier,
        coalesce(bool_or(e.tier = 'TIER_1'), false) as reached_tier_1,
        coalesce(bool_or(e.tier = 'TIER_2'), false) as reached_tier_2,
        coalesce(bool_or(e.tier = 'TIER_3'), false) as reached_tier_3,
        coalesce(bool_or(e.tier = 'TIER_4'), false) as reached_tier_4,
        count(*) filter (where e.tier is not null and e.status in ('OPEN', 'ESCALATED', 'ON_STANDBY', 'TRIAGE')) as tier_events,
        arg_min(e.priority, e.order_key) filter (where e.priority is not null) as priority,
        arg_min(e.product, e.order_key) filter (where e.product is not null) as product,
        arg_min(e.issue_type, e.order_key) filter (where e.issue_type is not null) as issue_type,
        arg_min(e.issue_category, e.order_key) filter (where e.issue_category is not null) as issue_category,
        arg_min(e.issue_status, e.order_key) filter (where e.issue_status is not null) as issue_status,
        arg_min(e.region, e.order_key) filter (where e.region is not null) as region,
        arg_min(e.country, e.order_key) filter (where e.country is not null) as country,
        arg_min(e.client, e.order_key) filter (where e.client is not null) as client,
        arg_max(e.agent, e.order_key) filter (where e.agent is not null) as agent,
        $tier_in is null or coalesce(bool_or(list_contains($tier_in, e.tier)), false) as tier_match,
        $agent_in is null or coalesce(bool_or(list_contains($agent_in, e.agent)), false) as agent_match
    from ranked as e
    group by e.ticket_id
),
-- the rare tickets with a RESOLVED or CLOSED before their first OPEN: the first such row, and
-- their first RESOLVED or CLOSED at or after the OPEN
done_before_open as (
    select
        ticket_id,
        open_time
    from per_ticket
    where first_done_time < open_time
),
done_after_open as (
    select
        e.ticket_id,
        arg_min(e.source_row, epoch_us(e.event_time)::hugeint * 4294967296 + e.source_row) as early_done_row,
        min(e.event_time) filter (where e.event_time >= d.open_time) as first_done_time
    -- events, not ranked: a second reader would make DuckDB materialize ranked (0.35 s at 1M)
    from events as e
    join done_before_open as d
        on e.ticket_id = d.ticket_id
    where e.status in ('RESOLVED', 'CLOSED')
    group by e.ticket_id
),
lifecycle as (
    select
        t.*,
        coalesce(t.open_time, t.first_event_time) as start_time,
        t.reached_tier_1::int + t.reached_tier_2::int
            + t.reached_tier_3::int + t.reached_tier_4::int as tiers_visited,
        (epoch_us(t.resolved_time) - epoch_us(t.open_time)) / 1e6 as resolution_s,
        (epoch_us(t.closed_time) - epoch_us(t.resolved_time)) / 1e6 as closing_s,
        coalesce(t.first_done_time < t.open_time, false) as done_before_open,
        a.early_done_row,
        coalesce(t.last_active_time > case when t.first_done_time < t.open_time then a.first_done_time
                                           else t.first_done_time end, false) as reopened,
        coalesce(p.escalations, 0) as escalations,
        coalesce(p.ping_pong, false) as ping_pong
    from per_ticket as t
    left join paths as p
        on t.ticket_id = p.ticket_id
    left join done_after_open as a
        on t.ticket_id = a.ticket_id
)
select
    ticket_id,
    start_time,
    date_trunc('month', start_time) as month,
    open_time,
    open_row,
    resolved_time,
    resolved_row,
    closed_time,
    closed_row,
    resolution_s,
    closing_s,
    resolution_s < 0 as resolution_negative,
    closing_s < 0 as closing_negative,
    events,
    tier_events,
    tiered,
    tiers_visited,
    highest_tier,
    reached_tier_1,
    reached_tier_2,
    reached_tier_3,
    reached_tier_4,
    escalations,
    ping_pong,
    reopened,
    done_before_open,
    early_done_row,
    priority,
    product,
    issue_type,
    issue_category,
    issue_status,
    region,
    country,
    client,
    agent
from lifecycle
where tier_match
    and agent_match
    and ($date_from is null or start_time >= $date_from)
    and ($date_to is null or start_time <= $date_to)
    and ($priority_in is null or list_contains($priority_in, priority))
    and ($product_in is null or list_contains($product_in, product))
    and ($issue_type_in is null or list_contains($issue_type_in, issue_type))
    and ($issue_category_in is null or list_contains($issue_category_in, issue_category))
    and ($issue_status_in is null or list_contains($issue_status_in, issue_status))
    and ($region_in is null or list_contains($region_in, region))
    and ($country_in is null or list_contains($country_in, country))
    and ($client_in is null or list_contains($client_in, client))
order by
    ticket_id
