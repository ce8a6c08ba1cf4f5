-- Cohort retention (METRICS.md, Rates): a unit's cohort is its first month with MRR > 0.
-- For each cohort and each month k since it started (up to $last_month): customers still
-- paying and their MRR, as shares of the cohort's first month.
WITH active AS (
    SELECT cohort_month, month, count(*) AS customers, sum(mrr_end) AS mrr
    FROM unit_events
    WHERE mrr_end > 0
    GROUP BY cohort_month, month
),
cohort_size AS (
    SELECT cohort_month, customers AS cohort_customers, mrr AS cohort_mrr
    FROM active
    WHERE month = cohort_month
      AND ($first_month IS NULL OR cohort_month >= $first_month)
      AND cohort_month <= $last_month
),
grid AS (
    SELECT c.*, CAST(m AS DATE) AS month
    FROM cohort_size c,
         range(CAST(c.cohort_month AS TIMESTAMP),
               CAST($last_month AS TIMESTAMP) + INTERVAL 1 MONTH,
               INTERVAL 1 MONTH) AS t(m)
)
SELECT
    g.cohort_month AS cohort,
    date_diff('month', g.cohort_month, g.month) AS months_since_start,
    g.cohort_customers,
    coalesce(a.customers, 0) AS customers,
    coalesce(a.customers, 0) / g.cohort_customers AS logo_retention,
    coalesce(a.mrr, 0) AS mrr,
    coalesce(a.mrr, 0) / g.cohort_mrr AS revenue_retention
FROM grid g
LEFT JOIN active a ON a.cohort_month = g.cohort_month AND a.month = g.month
ORDER BY cohort, months_since_start
