-- Units whose accounts pass the account filters (built only when a filter is set): segment,
-- region, CSM owner and the custom attribute ($attribute with one of $attribute_values).
SELECT DISTINCT
    CASE WHEN $parent_level THEN coalesce(r.root_account_id, a.account_id)
         ELSE a.account_id END AS unit_id
FROM accounts a
LEFT JOIN account_rollup r ON r.account_id = a.account_id
WHERE TRUE
  AND (len($segments) = 0 OR list_contains($segments, a.segment))
  AND (len($regions) = 0 OR list_contains($regions, a.region))
  AND (len($owners) = 0 OR list_contains($owners, a.csm_owner))
  AND (len($attribute_values) = 0 OR a.account_id IN (
      SELECT account_id FROM account_attributes
      WHERE name = $attribute AND list_contains($attribute_values, value)))
