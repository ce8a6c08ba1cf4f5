-- lifecycle_kpis (docs/lifecycle.md): the counts and sums behind every lifecycle KPI that is
-- read from raw tables, in one row. This head prices subscriptions on two days with the shared
-- subscription_mrr.sql (METRICS.md, MRR): the as-of date and the base day (the last day before
-- the first month of the expansion window); lifecycle_kpis.sql continues the WITH clause.
-- Parameters: $month, $as_of, $base_month, $base_day DATE, plus those of subscription_mrr.sql
-- and lifecycle_kpis.sql.
WITH snaps AS (
    SELECT CAST($month AS DATE) AS month, CAST($as_of AS DATE) AS snap
    UNION ALL
    SELECT CAST($base_month AS DATE), CAST($base_day AS DATE)
),
