-- decision_customers: accounts paying on the as-of date (a recurring, non-trial subscription
-- with a positive price in force: start_date <= $as_of < end_date; docs/insights.md).
-- Parameters: $as_of DATE.
SELECT DISTINCT account_id
FROM subscriptions
WHERE coalesce(charge_type, 'recurring') = 'recurring'
  AND coalesce(status, 'active') <> 'trial'
  AND coalesce(amount, 0) * coalesce(quantity, 1) * (1 - coalesce(discount_pct, 0) / 100) > 0
  AND start_date <= $as_of
  AND (end_date IS NULL OR $as_of < end_date)
ORDER BY account_id
