-- unit_events: one row per unit (account, or top-level parent at parent level) and month in
-- which it had MRR at the start or at the end of the month, with its movement amounts.
-- Months before $cur_month come from the precomputed month-end mrr_snapshot (up to $horizon);
-- later months, and $cur_month itself (snapshot = the as-of date), are computed live.
CREATE OR REPLACE TEMP TABLE unit_events AS
WITH snaps AS (
    SELECT CAST(unnest($live_months) AS DATE) AS month, CAST(unnest($live_snaps) AS DATE) AS snap
),
