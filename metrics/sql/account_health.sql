-- Continues metrics.health.health_tables + score_inputs on one account: its scores and raw
-- inputs on each scored date (last month end and the as-of date), oldest first.
SELECT
    s.account_id,
    s.month,
    i.snap,
    s.usage_score,
    s.adoption_score,
    s.engagement_score,
    s.support_score,
    s.sentiment_score,
    s.billing_score,
    s.commercial_score,
    s.health_score,
    s.missing_components,
    i.* EXCLUDE (account_id, month, snap)
FROM health_scored s
JOIN health_inputs i ON i.account_id = s.account_id AND i.month = s.month
ORDER BY s.month
