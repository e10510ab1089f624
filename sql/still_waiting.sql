-- still_waiting: tier events with no response yet, oldest first.
-- grain: one row per tier event with no later IN_PROGRESS in its tier.
-- reads: tier_events
-- parameters: none (tier_events is already filtered)
-- method: age_s is measured at the export's last event_time on the policy's clock;
--   *_overdue = age strictly greater than the allowance.
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
    product,
    agent
from tier_events
where still_waiting
order by
    age_s desc,
    source_row
