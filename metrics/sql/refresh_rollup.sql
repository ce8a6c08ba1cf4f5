-- Each account's top-level parent (itself when it has none); cycles are cut at depth 20.
INSERT INTO account_rollup
WITH RECURSIVE chain(account_id, ancestor, depth) AS (
    SELECT account_id, account_id, 0 FROM accounts
    UNION ALL
    SELECT c.account_id, a.parent_account_id, c.depth + 1
    FROM chain c
    JOIN accounts a ON a.account_id = c.ancestor
    WHERE coalesce(a.parent_account_id, '') <> '' AND a.parent_account_id <> a.account_id
      AND c.depth < 20
)
SELECT account_id, arg_max(ancestor, depth) AS root_account_id
FROM chain
GROUP BY account_id
