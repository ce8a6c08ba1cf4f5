-- Continues a WITH defining unit_rows(unit_id, month, cohort_month, mrr_start, mrr_end,
-- last_paid_month): classifies each row by the movement table (METRICS.md, Movements).
classified AS (
    SELECT
        *,
        mrr_start = 0 AND mrr_end > 0 AS starts,
        last_paid_month IS NOT NULL
            AND (
                $react_days IS NULL
                OR date_diff('day', last_day(last_paid_month), least(last_day(month), $as_of))
                    <= $react_days
            ) AS returns_in_window
    FROM unit_rows
),
events AS (
SELECT
    unit_id,
    month,
    cohort_month,
    mrr_start,
    mrr_end,
    CASE WHEN starts AND NOT returns_in_window THEN mrr_end ELSE 0 END AS new,
    CASE WHEN mrr_start > 0 AND mrr_end > mrr_start THEN mrr_end - mrr_start ELSE 0 END
        AS expansion,
    CASE WHEN mrr_start > 0 AND mrr_end > 0 AND mrr_end < mrr_start THEN mrr_start - mrr_end
         ELSE 0 END AS contraction,
    CASE WHEN mrr_start > 0 AND mrr_end = 0 THEN mrr_start ELSE 0 END AS churn,
    CASE WHEN starts AND returns_in_window THEN mrr_end ELSE 0 END AS reactivation
FROM classified
)
