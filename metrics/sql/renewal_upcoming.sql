-- renewal_upcoming: the renewals coming up after $as_of, one row per account and due date, for
-- accounts passing the filters (docs/renewals.md). A renewal comes up on the term_end D >= $as_of
-- of a recurring, non-trial subscription in force on $as_of (start_date <= $as_of < end_date,
-- empty end_date = ongoing; any status, so a cancellation with a future end still shows).
-- $next_only keeps each account's earliest such D (its next renewal); then only D in
-- [$due_from, $due_to] are kept. Filters: segment, region and CSM owner on the account (and
-- $owner, empty = everyone); plan = one of the subscriptions due on D is on the plan.
-- Parameters: $as_of, $due_from, $due_to DATE, $next_only BOOLEAN, $owner VARCHAR,
-- $segments, $regions, $owners, $plans VARCHAR[], $attribute VARCHAR, $attribute_values VARCHAR[]
-- (custom attribute filter; empty = none).
CREATE OR REPLACE TEMP TABLE renewal_upcoming AS
WITH due AS (
    SELECT
        s.account_id,
        s.term_end AS renewal_date,
        bool_or(list_contains($plans, s.plan)) AS on_plan
    FROM subscriptions s
    JOIN accounts a ON a.account_id = s.account_id
    WHERE coalesce(s.charge_type, 'recurring') = 'recurring'
      AND coalesce(s.status, 'active') <> 'trial'
      AND s.start_date <= $as_of
      AND (s.end_date IS NULL OR $as_of < s.end_date)
      AND s.term_end >= $as_of
      AND (len($segments) = 0 OR list_contains($segments, a.segment))
      AND (len($regions) = 0 OR list_contains($regions, a.region))
      AND (len($owners) = 0 OR list_contains($owners, a.csm_owner))
      AND (len($attribute_values) = 0 OR a.account_id IN (
          SELECT account_id FROM account_attributes
          WHERE name = $attribute AND list_contains($attribute_values, value)))
      AND (coalesce($owner, '') = '' OR a.csm_owner = $owner)
    GROUP BY s.account_id, s.term_end
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY account_id ORDER BY renewal_date) AS position
    FROM due
)
SELECT account_id, renewal_date
FROM ranked
WHERE (NOT $next_only OR position = 1)
  AND renewal_date >= $due_from
  AND renewal_date <= $due_to
  AND (len($plans) = 0 OR on_plan)
