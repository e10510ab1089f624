-- volume: how many tickets and tier events each product, issue type and month brings.
-- grain: one row per (dimension, value); dimension is product, issue_type or month
--   ('YYYY-MM'; a ticket's month is that of its start_time, a tier event's of its
--   event_time); null value = blank.
-- reads: tickets, tier_events
-- parameters: none (both inputs are already filtered)
-- method: shares are of all filtered tickets / tier events.
with
tk as (
    select
        case when grouping(product) = 0 then 'product'
             when grouping(issue_type) = 0 then 'issue_type'
             else 'month' end as dimension,
        coalesce(product, issue_type, strftime(month, '%Y-%m')) as value,
        count(*) as tickets
    from tickets
    group by grouping sets ((product), (issue_type), (month))
),
te as (
    select
        case when grouping(product) = 0 then 'product'
             when grouping(issue_type) = 0 then 'issue_type'
             else 'month' end as dimension,
        coalesce(product, issue_type, strftime(month, '%Y-%m')) as value,
        count(*) as tier_events
    from tier_events
    group by grouping sets ((product), (issue_type), (month))
),
joined as (
    select
        coalesce(tk.dimension, te.dimension) as dimension,
        coalesce(tk.value, te.value) as value,
        coalesce(tk.tickets, 0) as tickets,
        coalesce(te.tier_events, 0) as tier_events
    from tk
    full join te
        on tk.dimension = te.dimension
        and tk.value is not distinct from te.value
)
select
    dimension,
    value,
    tickets,
    tickets / nullif(sum(tickets) over (partition by dimension), 0) as ticket_share,
    tier_events,
    tier_events / nullif(sum(tier_events) over (partition by dimension), 0) as tier_event_share
from joined
order by
    dimension,
    value nulls last
