-- health_mrr: MRR per scored account and month (METRICS.md, MRR). Months before the as-of
-- month and not after the precomputed horizon come from mrr_snapshot (month-end MRR); later
-- months are priced live at their month end, and the as-of month at the as-of date itself.
-- Parameters: $live_months DATE[], $live_snaps DATE[], $snapshot_from DATE, $snapshot_to DATE,
-- $all_accounts BOOLEAN, $account_ids VARCHAR[] (as for health_population), plus those of
-- subscription_mrr.sql.
CREATE OR REPLACE TEMP TABLE health_mrr AS
WITH snaps AS (
    SELECT CAST(unnest($live_months) AS DATE) AS month, CAST(unnest($live_snaps) AS DATE) AS snap
),
