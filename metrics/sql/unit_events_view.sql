-- unit_events on the fast path: precomputed months before the as-of month (except the year-ago
-- month, whose 12-months-later MRR is live) plus the live part (unit_events_live), both
-- created on the same cursor just before with unit_params (cur_month, year_ago_month). /*unit_filter*/ as in unit_events_fast.sql.
CREATE OR REPLACE TEMP VIEW unit_events AS
SELECT
    unit_id, month, cohort_month, mrr_start, mrr_end, new, expansion, contraction, churn,
    reactivation, mrr_end_12m_later
FROM mrr_unit_events
WHERE month < (SELECT year_ago_month FROM unit_params) /*unit_filter*/
UNION ALL
SELECT
    unit_id, month, cohort_month, mrr_start, mrr_end, new, expansion, contraction, churn,
    reactivation, NULL AS mrr_end_12m_later
FROM mrr_unit_events
WHERE month > (SELECT year_ago_month FROM unit_params)
  AND month < (SELECT cur_month FROM unit_params) /*unit_filter*/
UNION ALL
SELECT * FROM unit_events_live
