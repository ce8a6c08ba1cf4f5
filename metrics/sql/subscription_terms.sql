-- subs: recurring, non-trial, priced subscriptions with their MRR terms (METRICS.md, MRR):
-- months in the billing period, the amount per period after quantity and discount (setting
-- $deduct_discounts), and the currency (empty = $reporting_currency). Shared by every query
-- that prices subscriptions (subscription_mrr.sql, renewal_point_mrr.sql).
subs AS (
    SELECT
        account_id,
        coalesce(nullif(plan, ''), '(no plan)') AS plan,
        start_date,
        end_date,
        CASE billing_period
            WHEN 'month' THEN 1
            WHEN 'quarter' THEN 3
            WHEN 'half_year' THEN 6
            WHEN 'year' THEN 12
            ELSE TRY_CAST(regexp_extract(billing_period, '^([0-9]+)months$', 1) AS INTEGER)
        END AS period_months,
        amount * coalesce(quantity, 1)
            * CASE WHEN $deduct_discounts THEN 1 - coalesce(discount_pct, 0) / 100.0 ELSE 1 END
            AS amount_per_period,
        coalesce(nullif(currency, ''), $reporting_currency) AS currency
    FROM subscriptions
    WHERE coalesce(charge_type, 'recurring') = 'recurring'
      AND coalesce(status, 'active') <> 'trial'
      AND amount > 0
)
