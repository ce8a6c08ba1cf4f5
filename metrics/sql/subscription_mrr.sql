-- Per account, plan and snapshot: the MRR of the subscriptions in force on the snapshot date.
-- Continues a WITH clause that already defines snaps(month DATE, snap DATE). Built from the
-- shared pieces subscription_terms.sql, billing_period_start.sql and fx_convert.sql
-- (metrics.snapshots.subscription_mrr_cte), which renewal_point_mrr.sql reuses.
-- Rules (METRICS.md, MRR): a subscription counts on day d when start_date <= d < end_date
-- (empty end_date = ongoing); trials and one-time charges never count; MRR =
-- amount x quantity x (1 - discount) / months_in_period; converted to the reporting currency
-- at the rate in force on the first day of the billing period that contains the snapshot.
-- Parameters: $reporting_currency VARCHAR, $deduct_discounts BOOLEAN.
/*subscription_terms*/,
in_force AS (
    SELECT
        subs.account_id,
        subs.plan,
        subs.currency,
        subs.amount_per_period / subs.period_months AS mrr_native,
        snaps.month,
        -- First day of the billing period containing the snapshot (only needed for FX).
        /*billing_period_start*/ AS period_start
    FROM subs
    JOIN snaps
      ON subs.start_date <= snaps.snap
     AND (subs.end_date IS NULL OR snaps.snap < subs.end_date)
    WHERE subs.period_months > 0
),
/*fx_convert*/,
subscription_mrr AS (
    SELECT account_id, plan, month, round(sum(mrr), 6) AS mrr
    FROM converted
    GROUP BY account_id, plan, month
    HAVING round(sum(mrr), 6) > 0
)
