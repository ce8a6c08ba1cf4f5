-- health_population: the accounts scored at each snapshot date (one row per account and date).
-- An account is scored on date d when it has a recurring subscription in force on d
-- (start_date <= d < end_date, empty end_date = ongoing; any status, trials included: on_trial
-- says every recurring subscription in force is a trial) and it
-- passes the filters: segment, region and CSM owner on the account; plan = an active
-- (status 'active') recurring subscription on one of the plans, in force on d; an account list.
-- Parameters: $snap_months DATE[] (first day of each date's month), $snap_dates DATE[],
-- $segments, $regions, $owners, $plans VARCHAR[], $all_accounts BOOLEAN, $account_ids VARCHAR[],
-- $attribute VARCHAR, $attribute_values VARCHAR[] (custom attribute filter; empty = none).
CREATE OR REPLACE TEMP TABLE health_population AS
WITH snaps AS (
    SELECT CAST(unnest($snap_months) AS DATE) AS month, CAST(unnest($snap_dates) AS DATE) AS snap
),
chosen AS (
    SELECT DISTINCT CAST(unnest($account_ids) AS VARCHAR) AS account_id
),
in_force AS (
    SELECT
        s.account_id,
        snaps.month,
        snaps.snap,
        bool_or(coalesce(s.status, 'active') = 'active' AND list_contains($plans, s.plan))
            AS on_plan,
        bool_and(coalesce(s.status, 'active') = 'trial') AS on_trial
    FROM subscriptions s
    JOIN snaps
      ON s.start_date <= snaps.snap
     AND (s.end_date IS NULL OR snaps.snap < s.end_date)
    WHERE coalesce(s.charge_type, 'recurring') = 'recurring'
    GROUP BY s.account_id, snaps.month, snaps.snap
)
SELECT f.account_id, f.month, f.snap, f.on_trial
FROM in_force f
JOIN accounts a ON a.account_id = f.account_id
WHERE (len($segments) = 0 OR list_contains($segments, a.segment))
  AND (len($regions) = 0 OR list_contains($regions, a.region))
  AND (len($owners) = 0 OR list_contains($owners, a.csm_owner))
  AND (len($attribute_values) = 0 OR a.account_id IN (
      SELECT account_id FROM account_attributes
      WHERE name = $attribute AND list_contains($attribute_values, value)))
  AND (len($plans) = 0 OR f.on_plan)
  AND ($all_accounts OR f.account_id IN (SELECT account_id FROM chosen))
