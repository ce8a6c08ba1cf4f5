-- decision_health: health inputs and component scores per account and signal date, read from
-- the temp tables health_inputs and health_scored that metrics.health builds on this cursor.
SELECT
    i.account_id,
    i.snap AS signal_on,
    i.active_users_30d, i.seats_purchased, i.seat_utilisation_pct, i.events_30d,
    i.usage_change_pct, i.features_used_30d, i.days_since_activity,
    i.open_high_priority_tickets, i.sla_breaches_90d, i.csat_90d, i.latest_nps,
    i.failed_payments_30d, i.dunning_active, i.card_expiring_30d,
    i.mrr, i.mrr_change_pct_3m, i.contraction_pct_3m,
    s.usage_score, s.adoption_score, s.engagement_score, s.support_score, s.sentiment_score,
    s.billing_score, s.commercial_score, s.health_score
FROM health_inputs i
JOIN health_scored s ON s.account_id = i.account_id AND s.month = i.month
ORDER BY i.account_id, i.snap
