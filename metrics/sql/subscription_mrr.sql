-- Per account, plan and snapshot: the MRR of the subscriptions in force on the snapshot date.
-- Continues a WITH clause that already defines snaps(month DATE, snap DATE).
-- Rules (METRICS.md, MRR): a subscription counts on day d when start_date <= d < end_date
-- (empty end_date = ongoing); trials and one-time charges never count; MRR =
-- amount x quantity x (1 - discount) / months_in_period; converted to the reporting currency
-- at the rate in force on the first day of the billing period that contains the snapshot.
-- Parameters: $reporting_currency VARCHAR, $deduct_discounts BOOLEAN.
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
),
in_force AS (
    SELECT
        subs.account_id,
        subs.plan,
        subs.currency,
        subs.amount_per_period / subs.period_months AS mrr_native,
        snaps.month,
        -- First day of the billing period containing the snapshot (only needed for FX).
        CASE WHEN subs.currency <> $reporting_currency THEN
            CAST(
                subs.start_date + to_months(
                    subs.period_months * (
                        date_diff('month', subs.start_date, snaps.snap) // subs.period_months
                        - CASE WHEN subs.start_date + to_months(
                                subs.period_months * (
                                    date_diff('month', subs.start_date, snaps.snap)
                                    // subs.period_months)) > snaps.snap
                            THEN 1 ELSE 0 END
                    )
                ) AS DATE)
        END AS period_start
    FROM subs
    JOIN snaps
      ON subs.start_date <= snaps.snap
     AND (subs.end_date IS NULL OR snaps.snap < subs.end_date)
    WHERE subs.period_months > 0
),
first_rates AS (
    SELECT currency, arg_min(rate, valid_from) AS first_rate FROM fx_rates GROUP BY currency
),
converted AS (
    SELECT
        f.account_id,
        f.plan,
        f.month,
        f.mrr_native * CASE
            WHEN f.currency = $reporting_currency THEN 1.0
            ELSE coalesce(r.rate, fr.first_rate)  -- before the first known rate: the first rate
        END AS mrr
    FROM in_force f
    ASOF LEFT JOIN fx_rates r
      ON f.currency = r.currency AND f.period_start >= r.valid_from
    LEFT JOIN first_rates fr ON fr.currency = f.currency
),
subscription_mrr AS (
    SELECT account_id, plan, month, round(sum(mrr), 6) AS mrr
    FROM converted
    GROUP BY account_id, plan, month
    HAVING round(sum(mrr), 6) > 0
)
