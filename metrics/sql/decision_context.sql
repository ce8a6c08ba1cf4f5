-- decision_context: the account facts of each decision point that health does not score:
-- segment, industry, region, tenure, and the plan, billing period and discount of the recurring
-- subscriptions in force on the signal date (docs/insights.md, Signals).
-- Reads the registered frame decision_points(account_id VARCHAR, signal_on DATE).
-- Tenure = days from the account's first paying start (else created_at) to the signal date,
-- in months of 30.4375 days. Plan and billing period are those of the subscription with the
-- largest list price (amount × quantity; ties: the latest start, then subscription_id).
WITH first_paid AS (
    SELECT account_id, min(start_date) AS first_start
    FROM subscriptions
    WHERE coalesce(charge_type, 'recurring') = 'recurring'
      AND coalesce(status, 'active') <> 'trial'
    GROUP BY account_id
),
in_force AS (
    SELECT
        p.account_id,
        p.signal_on,
        arg_max(s.plan, (coalesce(s.amount, 0) * coalesce(s.quantity, 1), s.start_date,
                         s.subscription_id)) AS plan,
        arg_max(s.billing_period, (coalesce(s.amount, 0) * coalesce(s.quantity, 1), s.start_date,
                                   s.subscription_id)) AS billing_period,
        max(coalesce(s.discount_pct, 0)) AS discount_pct
    FROM decision_points p
    JOIN subscriptions s
      ON s.account_id = p.account_id
     AND coalesce(s.charge_type, 'recurring') = 'recurring'
     AND s.start_date <= p.signal_on
     AND (s.end_date IS NULL OR p.signal_on < s.end_date)
    GROUP BY p.account_id, p.signal_on
)
SELECT
    p.account_id,
    p.signal_on,
    a.segment,
    a.industry,
    a.region,
    date_diff('day', coalesce(f.first_start, a.created_at), p.signal_on) / 30.4375
        AS tenure_months,
    i.plan,
    i.billing_period,
    i.discount_pct
FROM decision_points p
JOIN accounts a ON a.account_id = p.account_id
LEFT JOIN first_paid f ON f.account_id = p.account_id
LEFT JOIN in_force i ON i.account_id = p.account_id AND i.signal_on = p.signal_on
ORDER BY p.account_id, p.signal_on
