-- One account's subscription rows up to $as_of, priced by the shared subscription_mrr.sql
-- (METRICS.md, MRR: normalisation, discounts, FX) -- Account 360. The CTE `subscriptions`
-- shadows the table for the shared SQL: only this account's rows, each row its own "plan" so
-- the MRR comes out per row, and a one-time charge priced like one month of service (its
-- price after discount, in the reporting currency; trials and amount 0 price as nothing).
-- Every row is priced on its first day, its last day (end_date - 1) and on $as_of.
-- Continued by subscription_mrr.sql and account_rows.sql.
-- Parameters: $account_id VARCHAR, $as_of DATE, $reporting_currency, $deduct_discounts.
WITH subscriptions AS (
    SELECT
        account_id,
        subscription_id AS plan,
        CASE WHEN coalesce(charge_type, 'recurring') = 'one_time' THEN 'month'
             ELSE billing_period END AS billing_period,
        amount,
        quantity,
        discount_pct,
        currency,
        start_date,
        CASE WHEN coalesce(charge_type, 'recurring') = 'recurring' THEN end_date END AS end_date,
        CASE WHEN coalesce(charge_type, 'recurring') = 'recurring' THEN status
             ELSE 'active' END AS status,
        'recurring' AS charge_type
    FROM main.subscriptions
    WHERE account_id = $account_id AND start_date <= $as_of
),
snaps AS (
    SELECT DISTINCT day AS month, day AS snap
    FROM (
        SELECT start_date AS day FROM subscriptions
        UNION ALL
        SELECT CAST(end_date - 1 AS DATE) FROM subscriptions WHERE end_date > start_date
        UNION ALL
        SELECT CAST($as_of AS DATE)
    )
),
