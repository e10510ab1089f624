-- ticket_breakdown: resolution and closing times per value of the ticket-level dimensions.
-- grain: one row per (dimension, value); dimension is one of tier (the ticket's highest
--   tier), priority, product, issue_type, issue_category, month (of start_time, 'YYYY-MM'),
--   region, country, agent (who handled it last); null value = blank.
-- reads: tickets
-- parameters: none (tickets is already filtered)
-- method: per ticket, non-negative durations only; percentiles are quantile_cont.
with
grouped as (
    select
        case
            when grouping(highest_tier) = 0 then 'tier'
            when grouping(priority) = 0 then 'priority'
            when grouping(product) = 0 then 'product'
            when grouping(issue_type) = 0 then 'issue_type'
            when grouping(issue_category) = 0 then 'issue_category'
            when grouping(month) = 0 then 'month'
            when grouping(region) = 0 then 'region'
            when grouping(country) = 0 then 'country'
            else 'agent'
        end as dimension,
        coalesce(highest_tier, priority, product, issue_type, issue_category, strftime(month, '%Y-%m'),
                 region, country, agent) as value,
        count(*) as tickets,
        count(*) filter (where tiered) as tiered_tickets,
        count(resolution_s) filter (where resolution_s >= 0) as resolution_tickets,
        avg(resolution_s) filter (where resolution_s >= 0) as resolution_mean_s,
        quantile_cont(resolution_s, [0.5, 0.9]) filter (where resolution_s >= 0) as resolution_q,
        max(resolution_s) filter (where resolution_s >= 0) as resolution_max_s,
        count(closing_s) filter (where closing_s >= 0) as closing_tickets,
        avg(closing_s) filter (where closing_s >= 0) as closing_mean_s,
        quantile_cont(closing_s, [0.5, 0.9]) filter (where closing_s >= 0) as closing_q,
        max(closing_s) filter (where closing_s >= 0) as closing_max_s,
        count(*) filter (where reopened) as reopened_tickets,
        count(*) filter (where escalations > 0) as escalated_tickets
    from tickets
    group by grouping sets (
        (highest_tier), (priority), (product), (issue_type), (issue_category), (month), (region), (country), (agent)
    )
)
select
    dimension,
    value,
    tickets,
    tiered_tickets,
    resolution_tickets,
    resolution_mean_s,
    resolution_q[1] as resolution_median_s,
    resolution_q[2] as resolution_p90_s,
    resolution_max_s,
    closing_tickets,
    closing_mean_s,
    closing_q[1] as closing_median_s,
    closing_q[2] as closing_p90_s,
    closing_max_s,
    reopened_tickets,
    escalated_tickets
from grouped
order by
    dimension,
    value nulls last
