-- pareto: products from most to fewest tickets, with the cumulative share of tickets.
-- grain: one row per product (null = blank product).
-- reads: tickets
-- parameters: $small_share (double): a product is small when its share is under it (0.02)
-- method: share = product's tickets / all filtered tickets; cumulative_share runs in rank
--   order (most tickets first, ties by name). small_products_share = the summed share of
--   every small product (the same figure on every row).
with
products as (
    select
        product,
        count(*) as tickets
    from tickets
    group by product
),
shares as (
    select
        product,
        tickets,
        tickets / sum(tickets) over () as share
    from products
)
select
    row_number() over (order by tickets desc, product nulls last) as rank,
    product,
    tickets,
    share,
    sum(share) over (order by tickets desc, product nulls last
                     rows between unbounded preceding and current row) as cumulative_share,
    share < $small_share as small,
    coalesce(sum(share) filter (where share < $small_share) over (), 0) as small_products_share
from shares
order by
    rank
