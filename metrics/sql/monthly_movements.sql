-- Month-by-month MRR bridge over unit_events for months $first_month..$last_month.
-- mrr_start is the previous month's mrr_end (bridge: start + new + expansion + reactivation
-- - contraction - churn = end).
WITH bounds AS (
    SELECT coalesce($first_month, min(month)) AS first_month FROM unit_events
),
months AS (
    SELECT CAST(m AS DATE) AS month
    FROM bounds,
         range(CAST(least(bounds.first_month, $last_month) AS TIMESTAMP),
               CAST($last_month AS TIMESTAMP) + INTERVAL 1 MONTH,
               INTERVAL 1 MONTH) AS t(m)
    WHERE bounds.first_month IS NOT NULL
),
history AS (
    -- Every month from the first event, so that mrr_start of the first reported month is right.
    SELECT CAST(m AS DATE) AS month
    FROM (SELECT min(month) AS first_event FROM unit_events) f,
         range(CAST(f.first_event AS TIMESTAMP),
               CAST($last_month AS TIMESTAMP) + INTERVAL 1 MONTH,
               INTERVAL 1 MONTH) AS t(m)
    WHERE f.first_event IS NOT NULL
),
per_month AS (
    SELECT
        month,
        sum(mrr_end) AS mrr_end,
        count(*) FILTER (WHERE mrr_end > 0) AS customers,
        count(*) FILTER (WHERE churn > 0) AS churned_customers,
        count(*) FILTER (WHERE new > 0) AS new_customers,
        count(*) FILTER (WHERE reactivation > 0) AS reactivated_customers,
        sum(new) AS new,
        sum(expansion) AS expansion,
        sum(contraction) AS contraction,
        sum(churn) AS churn,
        sum(reactivation) AS reactivation
    FROM unit_events
    GROUP BY month
),
series AS (
    SELECT
        h.month,
        coalesce(lag(p.mrr_end) OVER (ORDER BY h.month), 0) AS mrr_start,
        coalesce(lag(p.customers) OVER (ORDER BY h.month), 0) AS customers_start,
        coalesce(p.new, 0) AS new,
        coalesce(p.expansion, 0) AS expansion,
        coalesce(p.contraction, 0) AS contraction,
        coalesce(p.churn, 0) AS churn,
        coalesce(p.reactivation, 0) AS reactivation,
        coalesce(p.mrr_end, 0) AS mrr_end,
        coalesce(p.customers, 0) AS customers,
        coalesce(p.new_customers, 0) AS new_customers,
        coalesce(p.churned_customers, 0) AS churned_customers,
        coalesce(p.reactivated_customers, 0) AS reactivated_customers
    FROM history h
    LEFT JOIN per_month p ON p.month = h.month
)
SELECT series.*
FROM series
JOIN months ON months.month = series.month
ORDER BY series.month
