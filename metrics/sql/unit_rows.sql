-- Continues a WITH defining unit_month(unit_id, month, mrr): seq, unit_rows.
seq AS (
    SELECT
        unit_id,
        month,
        mrr,
        lag(month) OVER w AS prev_month,
        lag(mrr) OVER w AS prev_mrr,
        lead(month) OVER w AS next_month,
        min(month) OVER (PARTITION BY unit_id) AS cohort_month
    FROM unit_month
    WINDOW w AS (PARTITION BY unit_id ORDER BY month)
),
unit_rows AS (
    -- A month with MRR: continuing from last month, or (re)starting after a gap.
    SELECT
        unit_id,
        month,
        cohort_month,
        CASE WHEN prev_month = CAST(month - INTERVAL 1 MONTH AS DATE) THEN prev_mrr ELSE 0 END
            AS mrr_start,
        mrr AS mrr_end,
        prev_month AS last_paid_month
    FROM seq
    UNION ALL
    -- The month after a month with MRR, when the unit then has none: churn.
    SELECT
        unit_id,
        CAST(month + INTERVAL 1 MONTH AS DATE),
        cohort_month,
        mrr,
        0,
        month
    FROM seq
    WHERE (next_month IS NULL OR next_month > CAST(month + INTERVAL 1 MONTH AS DATE))
      AND month < $last_month
)
