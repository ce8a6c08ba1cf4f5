-- One row per scored account at the as-of date: attributes, scores, MRR, renewal date and the
-- raw inputs (health_scored and health_inputs hold exactly one date here).
-- renewal_date = the earliest term_end after $as_of of an active (status 'active') recurring
-- subscription in force on $as_of. Parameters: $as_of DATE.
WITH renewals AS (
    SELECT account_id, min(term_end) AS renewal_date
    FROM subscriptions
    WHERE coalesce(charge_type, 'recurring') = 'recurring'
      AND coalesce(status, 'active') = 'active'
      AND start_date <= $as_of
      AND (end_date IS NULL OR $as_of < end_date)
      AND term_end > $as_of
    GROUP BY account_id
)
SELECT
    s.account_id,
    a.name,
    a.segment,
    a.csm_owner,
    a.region,
    s.usage_score,
    s.adoption_score,
    s.engagement_score,
    s.support_score,
    s.sentiment_score,
    s.billing_score,
    s.commercial_score,
    s.health_score,
    s.missing_components,
    i.mrr,
    12 * i.mrr AS arr,
    r.renewal_date,
    coalesce(p.on_trial, false) AS on_trial,
    i.active_users_30d,
    i.seats_purchased,
    i.seat_utilisation_pct,
    i.events_30d,
    i.events_prev_30d,
    i.usage_change_pct,
    i.features_used_30d,
    i.days_since_activity,
    i.last_active_on,
    i.open_high_priority_tickets,
    i.sla_breaches_90d,
    i.csat_90d,
    i.latest_nps,
    i.latest_nps_on,
    i.failed_payments_30d,
    i.dunning_active,
    i.card_expiring_30d,
    i.card_expires_on,
    i.mrr_3m_ago,
    i.mrr_change_pct_3m,
    i.contraction_pct_3m
FROM health_scored s
JOIN health_inputs i ON i.account_id = s.account_id AND i.month = s.month
JOIN accounts a ON a.account_id = s.account_id
LEFT JOIN renewals r ON r.account_id = s.account_id
LEFT JOIN health_population p ON p.account_id = s.account_id AND p.month = s.month
ORDER BY s.account_id
