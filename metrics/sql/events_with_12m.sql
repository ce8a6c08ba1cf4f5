-- Final select of the full computation: every event row with the unit's MRR 12 months later
-- (NULL when that month is after $last_month), which NRR/GRR aggregate.
SELECT
    e.*,
    CASE WHEN CAST(e.month + INTERVAL 12 MONTH AS DATE) <= $last_month
         THEN coalesce(later.mrr_end, 0) END AS mrr_end_12m_later
FROM events e
LEFT JOIN events later
  ON e.mrr_end > 0
 AND later.unit_id = e.unit_id
 AND later.month = CAST(e.month + INTERVAL 12 MONTH AS DATE)
