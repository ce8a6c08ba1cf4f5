-- Final select of account_mrr_history.sql: every month from the account's first month with
-- MRR to $cur_month (months without MRR or movement are zeros), oldest first.
, months AS (
    SELECT CAST(m AS DATE) AS month
    FROM (SELECT min(month) AS first_month FROM events) f,
         range(CAST(f.first_month AS TIMESTAMP), CAST($cur_month AS TIMESTAMP) + INTERVAL 1 MONTH,
               INTERVAL 1 MONTH) AS t(m)
    WHERE f.first_month IS NOT NULL
)
SELECT
    m.month,
    coalesce(e.mrr_end, 0) AS mrr,
    coalesce(e.mrr_start, 0) AS mrr_start,
    coalesce(e.new, 0) AS new,
    coalesce(e.expansion, 0) AS expansion,
    coalesce(e.contraction, 0) AS contraction,
    coalesce(e.churn, 0) AS churn,
    coalesce(e.reactivation, 0) AS reactivation
FROM months m
LEFT JOIN events e ON e.month = m.month
ORDER BY m.month
