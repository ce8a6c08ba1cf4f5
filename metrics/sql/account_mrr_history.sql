-- One account's monthly MRR bridge (Account 360), classified by the engine's own
-- unit_rows.sql and classify.sql (METRICS.md, Movements), with the account as the unit
-- whatever the view level. Month ends up to the precomputed horizon come from mrr_snapshot,
-- later months and the as-of month are priced live (as metrics.movements does). The CTE
-- `subscriptions` narrows the shared pricing SQL to this account.
-- Continues live_snaps.sql (after `WITH subscriptions AS (...),`) and subscription_mrr.sql;
-- followed by unit_rows.sql, classify.sql and account_mrr_history_tail.sql.
-- Parameters: $account_id, $cur_month, $horizon, plus those of the included files.
,
all_rows AS (
    SELECT account_id, month, mrr
    FROM mrr_snapshot
    WHERE account_id = $account_id AND month < $cur_month AND month <= $horizon
    UNION ALL
    SELECT account_id, month, mrr FROM subscription_mrr
),
unit_month AS (
    SELECT account_id AS unit_id, month, round(sum(mrr), 6) AS mrr
    FROM all_rows
    GROUP BY account_id, month
    HAVING round(sum(mrr), 6) > 0
),
