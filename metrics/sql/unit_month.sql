-- Continues a WITH defining snaps and subscription_mrr: all_rows, selected_accounts,
-- unit_month (MRR per unit and month, > 0 only, after filters; the account filters include the
-- custom attribute: $attribute with one of $attribute_values, empty = none).
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
      AND (len($attribute_values) = 0 OR a.account_id IN (
          SELECT account_id FROM account_attributes
          WHERE name = $attribute AND list_contains($attribute_values, value)))
),
unit_month AS (
    SELECT s.unit_id, r.month, round(sum(r.mrr), 6) AS mrr
    FROM all_rows r
    JOIN selected_accounts s ON s.account_id = r.account_id
    WHERE len($plans) = 0 OR list_contains($plans, r.plan)
    GROUP BY s.unit_id, r.month
    HAVING round(sum(r.mrr), 6) > 0
)
