-- renewal_due: every past renewal, one row per account and due date (docs/renewals.md).
-- A renewal is due on the term_end D of a recurring, non-trial subscription with an amount;
-- several subscriptions of one account sharing D are one renewal. Only D in
-- ($due_after, $due_until] (the caller passes $due_until = as-of - grace, so the grace period
-- of every row has ended). Filters: segment, region and CSM owner on the account; plan = one
-- of the subscriptions due on D is on the plan.
-- Parameters: $due_after DATE, $due_until DATE, $segments, $regions, $owners, $plans VARCHAR[],
-- $attribute VARCHAR, $attribute_values VARCHAR[] (custom attribute filter; empty = none).
CREATE OR REPLACE TEMP TABLE renewal_due AS
SELECT s.account_id, s.term_end AS renewal_date
FROM subscriptions s
JOIN accounts a ON a.account_id = s.account_id
WHERE coalesce(s.charge_type, 'recurring') = 'recurring'
  AND coalesce(s.status, 'active') <> 'trial'
  AND s.amount > 0
  AND s.term_end IS NOT NULL
  AND s.term_end > s.start_date
  AND s.term_end > $due_after
  AND s.term_end <= $due_until
  AND (len($segments) = 0 OR list_contains($segments, a.segment))
  AND (len($regions) = 0 OR list_contains($regions, a.region))
  AND (len($owners) = 0 OR list_contains($owners, a.csm_owner))
  AND (len($attribute_values) = 0 OR a.account_id IN (
      SELECT account_id FROM account_attributes
      WHERE name = $attribute AND list_contains($attribute_values, value)))
GROUP BY s.account_id, s.term_end
HAVING len($plans) = 0 OR bool_or(list_contains($plans, s.plan))
