-- breakdown: tier-event rates and durations per value of every breakdown dimension.
-- grain: one row per (dimension, value); dimension is one of tier, priority, product,
--   issue_type, issue_category, month, region, country, agent; value is the text of the
--   value (month as 'YYYY-MM'; null = the dimension is blank on those events).
-- reads: tier_events
-- parameters: none (tier_events is already filtered)
-- method: as kpis: measured = non-negative durations; rated = measured with a known
--   allowance; rate = breached / rated; percentiles are quantile_cont.
with
grouped as (
    select
        case
            when grouping(tier) = 0 then 'tier'
            when grouping(priority) = 0 then 'priority'
            when grouping(product) = 0 then 'product'
            when grouping(issue_type) = 0 then 'issue_type'
            when grouping(issue_category) = 0 then 'issue_category'
            when grouping(month) = 0 then 'month'
            when grouping(region) = 0 then 'region'
            when grouping(country) = 0 then 'country'
            else 'agent'
        end as dimension,
        coalesce(tier, priority, product, issue_type, issue_category, strftime(month, '%Y-%m'),
                 region, country, agent) as value,
        count(*) as tier_events,
        count(tier_s) filter (where tier_s >= 0) as tier_measured,
        count(tier_breached) as tier_rated,
        count(*) filter (where tier_breached) as tier_breached,
        count(*) filter (where tier_breached) / nullif(count(tier_breached), 0) as tier_breach_rate,
        avg(tier_s) filter (where tier_s >= 0) as tier_mean_s,
        quantile_cont(tier_s, [0.5, 0.9]) filter (where tier_s >= 0) as tier_q,
        max(tier_s) filter (where tier_s >= 0) as tier_max_s,
        avg(tier_over_s) as tier_over_mean_s,
        count(frt_s) filter (where frt_s >= 0) as frt_measured,
        count(frt_breached) as frt_rated,
        count(*) filter (where frt_breached) as frt_breached,
        count(*) filter (where frt_breached) / nullif(count(frt_breached), 0) as frt_breach_rate,
        avg(frt_s) filter (where frt_s >= 0) as frt_mean_s,
        quantile_cont(frt_s, [0.5, 0.9]) filter (where frt_s >= 0) as frt_q,
        max(frt_s) filter (where frt_s >= 0) as frt_max_s,
        avg(frt_over_s) as frt_over_mean_s,
        count(*) filter (where still_waiting) as still_waiting,
        count(*) filter (where tier_overdue) as tier_overdue
    from tier_events
    group by grouping sets (
        (tier), (priority), (product), (issue_type), (issue_category), (month), (region), (country), (agent)
    )
)
select
    dimension,
    value,
    tier_events,
    tier_measured,
    tier_rated,
    tier_breached,
    tier_breach_rate,
    tier_mean_s,
    tier_q[1] as tier_median_s,
    tier_q[2] as tier_p90_s,
    tier_max_s,
    tier_over_mean_s,
    frt_measured,
    frt_rated,
    frt_breached,
    frt_breach_rate,
    frt_mean_s,
    frt_q[1] as frt_median_s,
    frt_q[2] as frt_p90_s,
    frt_max_s,
    frt_over_mean_s,
    still_waiting,
    tier_overdue
from grouped
order by
    dimension,
    value nulls last
