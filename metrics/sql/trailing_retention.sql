-- NRR and GRR, trailing 12 months, for each month $first_month..$last_month (METRICS.md, Rates):
-- the units that were customers 12 months earlier, their MRR now / their MRR then; GRR caps
-- each unit's MRR now at its MRR then. unit_events carries each row's MRR 12 months later.
SELECT
    CAST(month + INTERVAL 12 MONTH AS DATE) AS month,
    count(*) AS cohort_customers,
    sum(mrr_end) AS cohort_mrr_then,
    sum(mrr_end_12m_later) AS cohort_mrr_now,
    sum(mrr_end_12m_later) / sum(mrr_end) AS nrr,
    sum(least(mrr_end_12m_later, mrr_end)) / sum(mrr_end) AS grr
FROM unit_events
WHERE mrr_end > 0
  AND mrr_end_12m_later IS NOT NULL
  AND CAST(month + INTERVAL 12 MONTH AS DATE) <= $last_month
  AND ($first_month IS NULL OR CAST(month + INTERVAL 12 MONTH AS DATE) >= $first_month)
GROUP BY 1
ORDER BY 1
