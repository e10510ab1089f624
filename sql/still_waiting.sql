-- still_waiting: tier events with no response yet, those on open tickets first, then oldest first.
-- grain: one row per tier event with no later IN_PROGRESS in its tier.
-- reads: tier_events
-- parameters: none (tier_events is already filtered)
-- method: age_s is measured at the export's last event_time on the policy's clock;
--   *_overdue = age strictly greater than the allowance. waiting_on_open_ticket = the ticket has
--   no RESOLVED / CLOSED event at or after the tier event (a live wait); otherwise
--   resolved_since_time is the first one (see tier_events.sql).
select
    ticket_id,
    source_row,
    tier,
    status,
    priority,
    event_time,
    age_s,
    frt_allowance_s,
    tier_allowance_s,
    frt_overdue,
    tier_overdue,
    waiting_on_open_ticket,
    resolved_since_time,
    product,
    agent
from tier_events
where still_waiting
order by
    waiting_on_open_ticket desc,
    age_s desc,
    source_row
