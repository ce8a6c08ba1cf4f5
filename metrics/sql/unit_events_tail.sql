,
all_rows AS (
    SELECT account_id, plan, month, mrr
    FROM mrr_snapshot
    WHERE month < $cur_month AND month <= $horizon
    UNION ALL
    SELECT account_id, plan, month, mrr FROM subscription_mrr
),
selected_accounts AS (
    SELECT
        a.account_id,
        CASE WHEN $parent_level THEN coalesce(r.root_account_id, a.account_id)
             ELSE a.account_id END AS unit_id
    FROM accounts a
    LEFT JOIN account_rollup r ON r.account_id = a.account_id
    WHERE (len($segments) = 0 OR list_contains($segments, a.segment))
      AND (len($regions) = 0 OR list_contains($regions, a.region))
      AND (len($owners) = 0 OR list_contains($owners, a.csm_owner))
),
unit_month AS (
    SELECT s.unit_id, r.month, round(sum(r.mrr), 6) AS mrr
    FROM all_rows r
    JOIN selected_accounts s ON s.account_id = r.account_id
    WHERE len($plans) = 0 OR list_contains($plans, r.plan)
    GROUP BY s.unit_id, r.month
    HAVING round(sum(r.mrr), 6) > 0
),
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
      AND month < $cur_month
),
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
)
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
