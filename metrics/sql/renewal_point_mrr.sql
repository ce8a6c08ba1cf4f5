-- renewal_point_mrr: the MRR of each account on each of its own dates (temp table
-- renewal_points(account_id, on_date)), by the rules of subscription_mrr.sql (METRICS.md, MRR):
-- a subscription counts on day d when start_date <= d < end_date (empty end = ongoing); trials,
-- one-time charges and zero amounts never count; MRR = amount x quantity x (1 - discount) /
-- months_in_period; converted at the rate in force on the first day of the billing period that
-- contains d (before the first known rate: the first rate).
-- Why not subscription_mrr.sql itself: it prices every subscription on a shared list of dates,
-- and renewals need each account on its own dates (the day before, on and after each due
-- date); through the shared list every subscription would be priced on thousands of dates.
-- tests/test_renewals.py checks both give the same MRR on month ends.
-- Parameters: $reporting_currency VARCHAR, $deduct_discounts BOOLEAN.
CREATE OR REPLACE TEMP TABLE renewal_point_mrr AS
WITH points AS (
    SELECT DISTINCT account_id, on_date FROM renewal_points
),
subs AS (
    SELECT
        s.account_id,
        s.start_date,
        s.end_date,
        CASE s.billing_period
            WHEN 'month' THEN 1
            WHEN 'quarter' THEN 3
            WHEN 'half_year' THEN 6
            WHEN 'year' THEN 12
            ELSE TRY_CAST(regexp_extract(s.billing_period, '^([0-9]+)months$', 1) AS INTEGER)
        END AS period_months,
        s.amount * coalesce(s.quantity, 1)
            * CASE WHEN $deduct_discounts THEN 1 - coalesce(s.discount_pct, 0) / 100.0 ELSE 1 END
            AS amount_per_period,
        coalesce(nullif(s.currency, ''), $reporting_currency) AS currency
    FROM subscriptions s
    WHERE coalesce(s.charge_type, 'recurring') = 'recurring'
      AND coalesce(s.status, 'active') <> 'trial'
      AND s.amount > 0
      AND s.account_id IN (SELECT account_id FROM points)
),
in_force AS (
    SELECT
        p.account_id,
        p.on_date,
        subs.currency,
        subs.amount_per_period / subs.period_months AS mrr_native,
        CASE WHEN subs.currency <> $reporting_currency THEN
            CAST(
                subs.start_date + to_months(
                    subs.period_months * (
                        date_diff('month', subs.start_date, p.on_date) // subs.period_months
                        - CASE WHEN subs.start_date + to_months(
                                subs.period_months * (
                                    date_diff('month', subs.start_date, p.on_date)
                                    // subs.period_months)) > p.on_date
                            THEN 1 ELSE 0 END
                    )
                ) AS DATE)
        END AS period_start
    FROM points p
    JOIN subs
      ON subs.account_id = p.account_id
     AND subs.start_date <= p.on_date
     AND (subs.end_date IS NULL OR p.on_date < subs.end_date)
    WHERE subs.period_months > 0
),
first_rates AS (
    SELECT currency, arg_min(rate, valid_from) AS first_rate FROM fx_rates GROUP BY currency
),
converted AS (
    SELECT
        f.account_id,
        f.on_date,
        f.mrr_native * CASE
            WHEN f.currency = $reporting_currency THEN 1.0
            ELSE coalesce(r.rate, fr.first_rate)
        END AS mrr
    FROM in_force f
    ASOF LEFT JOIN fx_rates r
      ON f.currency = r.currency AND f.period_start >= r.valid_from
    LEFT JOIN first_rates fr ON fr.currency = f.currency
)
SELECT p.account_id, p.on_date, coalesce(round(sum(c.mrr), 6), 0) AS mrr
FROM points p
LEFT JOIN converted c ON c.account_id = p.account_id AND c.on_date = p.on_date
GROUP BY p.account_id, p.on_date
