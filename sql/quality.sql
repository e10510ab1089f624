-- quality: the rows whose durations are data errors or could not be rated.
-- grain: one row per problem: kind is negative_frt, negative_time_in_tier,
--   negative_resolution, negative_closing, done_before_open or unknown_priority.
-- reads: tier_events, tickets
-- parameters: none (both inputs are already filtered)
-- method: source_row is the row the duration starts from (the tier event, or the ticket's
--   first OPEN); other_row the row it ends on (the response, or the RESOLVED / CLOSED row).
--   done_before_open: a ticket with a RESOLVED or CLOSED logged before its first OPEN
--   (source_row: the OPEN; other_row: the first such RESOLVED / CLOSED); it is not counted as
--   reopened by that OPEN (sql/tickets.sql).
select
    'negative_frt' as kind,
    ticket_id,
    source_row,
    response_row as other_row,
    frt_s as value_s
from tier_events
where frt_negative
union all
select
    'negative_time_in_tier',
    ticket_id,
    source_row,
    response_row,
    tier_s
from tier_events
where tier_negative
union all
select
    'unknown_priority',
    ticket_id,
    source_row,
    null,
    null
from tier_events
where not allowance_known
union all
select
    'negative_resolution',
    ticket_id,
    open_row,
    resolved_row,
    resolution_s
from tickets
where resolution_negative
union all
select
    'negative_closing',
    ticket_id,
    resolved_row,
    closed_row,
    closing_s
from tickets
where closing_negative
union all
select
    'done_before_open',
    ticket_id,
    open_row,
    early_done_row,
    null
from tickets
where done_before_open
order by
    kind,
    source_row,
    ticket_id
