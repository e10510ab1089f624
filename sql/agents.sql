-- agents: each agent's tier events, breach rates and typical response.
-- grain: one row per agent (null = tier events with no agent).
-- reads: tier_events
-- parameters: $small_sample (integer): fewer tier events than this sets small_sample (20)
-- method: as kpis (rates over rated events; medians are quantile_cont).
select
    agent,
    count(*) as tier_events,
    count(tier_breached) as tier_rated,
    count(*) filter (where tier_breached) as tier_breached,
    count(*) filter (where tier_breached) / nullif(count(tier_breached), 0) as tier_breach_rate,
    count(frt_breached) as frt_rated,
    count(*) filter (where frt_breached) as frt_breached,
    count(*) filter (where frt_breached) / nullif(count(frt_breached), 0) as frt_breach_rate,
    quantile_cont(frt_s, 0.5) filter (where frt_s >= 0) as frt_median_s,
    quantile_cont(tier_s, 0.5) filter (where tier_s >= 0) as tier_median_s,
    count(*) filter (where still_waiting) as still_waiting,
    count(*) < $small_sample as small_sample
from tier_events
group by agent
order by
    tier_events desc,
    agent nulls last
