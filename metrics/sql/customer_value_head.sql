-- value_inputs (docs/customer-value.md): one row per customer on the as-of date with the raw
-- inputs of the value score. This head prices subscriptions on the as-of date with the shared
-- subscription_mrr.sql (METRICS.md, MRR); customer_value.sql continues the WITH clause.
-- Parameters: $month DATE (first day of the as-of month), $as_of DATE, plus those of
-- subscription_mrr.sql and customer_value.sql.
WITH snaps AS (
    SELECT CAST($month AS DATE) AS month, CAST($as_of AS DATE) AS snap
),
