-- renewal_point_mrr: the MRR of each account on each of its own dates (temp table
-- renewal_points(account_id, on_date)), by the rules of subscription_mrr.sql (METRICS.md, MRR):
-- a subscription counts on day d when start_date <= d < end_date (empty end = ongoing); trials,
-- one-time charges and zero amounts never count; MRR = amount x quantity x (1 - discount) /
-- months_in_period; converted at the rate in force on the first day of the billing period that
-- contains d (before the first known rate: the first rate).
-- Why not subscription_mrr.sql itself: it prices every subscription on a shared list of dates,
-- and renewals need each account on its own dates (the day before, on and after each due
-- date); through the shared list every subscription would be priced on thousands of dates.
-- The rules themselves are the shared pieces (metrics/pricing.py); only the join differs.
-- tests/test_renewals.py checks both give the same MRR on month ends.
-- Parameters: $reporting_currency VARCHAR, $deduct_discounts BOOLEAN.
CREATE OR REPLACE TEMP TABLE renewal_point_mrr AS
WITH points AS (
    SELECT DISTINCT account_id, on_date FROM renewal_points
),
/*subscription_terms*/,
in_force AS (
    SELECT
        p.account_id,
        p.on_date,
        subs.currency,
        subs.amount_per_period / subs.period_months AS mrr_native,
        /*billing_period_start*/ AS period_start
    FROM points p
    JOIN subs
      ON subs.account_id = p.account_id
     AND subs.start_date <= p.on_date
     AND (subs.end_date IS NULL OR p.on_date < subs.end_date)
    WHERE subs.period_months > 0
),
/*fx_convert*/
SELECT p.account_id, p.on_date, coalesce(round(sum(c.mrr), 6), 0) AS mrr
FROM points p
LEFT JOIN converted c ON c.account_id = p.account_id AND c.on_date = p.on_date
GROUP BY p.account_id, p.on_date
