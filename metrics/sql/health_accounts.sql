-- Every account passing the account filters (segment, region, CSM owner, custom attribute),
-- flagged in_force when it has a recurring subscription in force on $as_of (start_date <= $as_of
-- < end_date, empty end_date = ongoing; any status, trials included): the accounts
-- health_population scores on that date. A plan filter keeps only accounts with an active
-- (status 'active') recurring subscription on one of the plans in force on $as_of, as it does
-- for health. Ordered by name, then account_id.
-- Parameters: $as_of DATE, $segments, $regions, $owners, $plans, $attribute_values VARCHAR[],
-- $attribute VARCHAR.
WITH in_force AS (
    SELECT
        account_id,
        bool_or(coalesce(status, 'active') = 'active' AND list_contains($plans, plan)) AS on_plan
    FROM subscriptions
    WHERE coalesce(charge_type, 'recurring') = 'recurring'
      AND start_date <= $as_of
      AND (end_date IS NULL OR $as_of < end_date)
    GROUP BY account_id
)
SELECT
    a.account_id,
    a.name,
    a.segment,
    a.csm_owner,
    f.account_id IS NOT NULL AS in_force
FROM accounts a
LEFT JOIN in_force f ON f.account_id = a.account_id
WHERE (len($segments) = 0 OR list_contains($segments, a.segment))
  AND (len($regions) = 0 OR list_contains($regions, a.region))
  AND (len($owners) = 0 OR list_contains($owners, a.csm_owner))
  AND (len($attribute_values) = 0 OR a.account_id IN (
      SELECT account_id FROM account_attributes
      WHERE name = $attribute AND list_contains($attribute_values, value)))
  AND (len($plans) = 0 OR coalesce(f.on_plan, false))
ORDER BY a.name, a.account_id
