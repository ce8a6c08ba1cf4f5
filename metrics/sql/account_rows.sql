-- Continues account_rows_head.sql + subscription_mrr.sql: account_rows, one row per
-- subscription row of $account_id starting on or before $as_of, with
--   paid       recurring and not a trial;
--   in_force   recurring and start_date <= $as_of < end_date (empty end = ongoing);
--   mrr_first, mrr_last, mrr_as_of: the row's MRR on its first day, its last day and $as_of
--              (reporting currency per month, 0 when it does not count), and for a one-time
--              charge mrr_first = its price.
,
priced AS (
    SELECT plan AS subscription_id, month AS day, mrr FROM subscription_mrr
),
account_rows AS (
    SELECT
        s.subscription_id,
        coalesce(nullif(s.plan, ''), '(no plan)') AS plan,
        s.billing_period,
        coalesce(s.quantity, 1) AS quantity,
        s.start_date,
        s.end_date,
        s.term_end,
        coalesce(s.status, 'active') AS status,
        coalesce(s.charge_type, 'recurring') AS charge_type,
        coalesce(s.charge_type, 'recurring') = 'recurring'
            AND coalesce(s.status, 'active') <> 'trial' AS paid,
        coalesce(s.charge_type, 'recurring') = 'recurring'
            AND (s.end_date IS NULL OR $as_of < s.end_date) AS in_force,
        coalesce(pf.mrr, 0) AS mrr_first,
        coalesce(pl.mrr, 0) AS mrr_last,
        coalesce(pn.mrr, 0) AS mrr_as_of
    FROM main.subscriptions s
    LEFT JOIN priced pf ON pf.subscription_id = s.subscription_id AND pf.day = s.start_date
    LEFT JOIN priced pl
      ON pl.subscription_id = s.subscription_id AND pl.day = CAST(s.end_date - 1 AS DATE)
    LEFT JOIN priced pn ON pn.subscription_id = s.subscription_id AND pn.day = $as_of
    WHERE s.account_id = $account_id AND s.start_date <= $as_of
)
