-- attribute_names: every custom attribute name with the accounts that have a non-blank value,
-- most common first (the Customer value page lists them when its settings match none).
SELECT name, count(DISTINCT account_id) AS accounts
FROM account_attributes
WHERE coalesce(trim(value), '') <> ''
GROUP BY name
ORDER BY accounts DESC, name
