-- The live part: the as-of month's events, and the rows 12 months earlier with their MRR now
-- (which NRR/GRR need). Everything else is read from mrr_unit_events by the unit_events view.
SELECT
    p.unit_id, p.month, p.cohort_month, p.mrr_start, p.mrr_end, p.new, p.expansion,
    p.contraction, p.churn, p.reactivation,
    CASE WHEN p.mrr_end > 0 THEN coalesce(now.mrr_end, 0) END AS mrr_end_12m_later
FROM year_ago p
LEFT JOIN events now ON now.unit_id = p.unit_id

UNION ALL
SELECT *, NULL AS mrr_end_12m_later FROM events
