-- agent_events: the agent SLA report: tier events with who handled them and how they did.
-- grain: one row per tier event.
-- reads: tier_events
-- parameters: none (tier_events is already filtered)
select
    agent,
    priority,
    issue_type,
    status,
    product,
    tier,
    region,
    event_time,
    frt_s,
    tier_s,
    frt_breached,
    tier_breached,
    still_waiting,
    ticket_id,
    source_row
from tier_events
order by
    event_time,
    source_row
