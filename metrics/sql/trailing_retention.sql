-- NRR and GRR, trailing 12 months, for each month $first_month..$last_month (METRICS.md, Rates):
-- the accounts that were customers 12 months earlier, their MRR now / their MRR then;
-- GRR caps each account's MRR now at its MRR then.
SELECT
    CAST(e0.month + INTERVAL 12 MONTH AS DATE) AS month,
    count(*) AS cohort_customers,
    sum(e0.mrr_end) AS cohort_mrr_then,
    sum(coalesce(e1.mrr_end, 0)) AS cohort_mrr_now,
    sum(coalesce(e1.mrr_end, 0)) / sum(e0.mrr_end) AS nrr,
    sum(least(coalesce(e1.mrr_end, 0), e0.mrr_end)) / sum(e0.mrr_end) AS grr
FROM unit_events e0
LEFT JOIN unit_events e1
  ON e1.unit_id = e0.unit_id AND e1.month = CAST(e0.month + INTERVAL 12 MONTH AS DATE)
WHERE e0.mrr_end > 0
  AND CAST(e0.month + INTERVAL 12 MONTH AS DATE) <= $last_month
  AND ($first_month IS NULL OR CAST(e0.month + INTERVAL 12 MONTH AS DATE) >= $first_month)
GROUP BY 1
ORDER BY 1
