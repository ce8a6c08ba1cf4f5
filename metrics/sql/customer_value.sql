,
-- A customer is an account with MRR > 0 on the as-of date (METRICS.md, MRR); mrr is the
-- account's whole MRR. The plan filter keeps accounts with MRR on one of the plans; the
-- custom-attribute filter (metrics.filters) keeps accounts whose attribute has one of the values.
customer_mrr AS (
    SELECT
        account_id,
        round(sum(mrr), 6) AS mrr,
        bool_or(list_contains($plans, plan)) AS on_plan
    FROM subscription_mrr
    GROUP BY account_id
    HAVING round(sum(mrr), 6) > 0
),
customers AS (
    SELECT a.account_id, a.name, a.segment, a.csm_owner, c.mrr,
           coalesce(a.referenceable, false) AS referenceable
    FROM customer_mrr c
    JOIN accounts a ON a.account_id = c.account_id
    WHERE (len($segments) = 0 OR list_contains($segments, a.segment))
      AND (len($regions) = 0 OR list_contains($regions, a.region))
      AND (len($owners) = 0 OR list_contains($owners, a.csm_owner))
      AND (len($plans) = 0 OR c.on_plan)
      AND (len($attribute_values) = 0 OR a.account_id IN (SELECT account_id
           FROM account_attributes WHERE name = $attribute
           AND list_contains($attribute_values, value)))
),
-- The latest NPS answer of the 365 days up to the as-of date (the as-of date is a whole day),
-- as the health score reads it (health_facts.sql); same-time answers: the higher score.
nps AS (
    SELECT
        n.account_id,
        arg_max(n.score, (n.responded_at, n.score)) AS latest_nps,
        CAST(max(n.responded_at) AS DATE) AS latest_nps_on
    FROM nps_responses n
    WHERE n.responded_at >= CAST($as_of AS TIMESTAMP) + INTERVAL 1 DAY - INTERVAL 365 DAY
      AND n.responded_at < CAST($as_of AS TIMESTAMP) + INTERVAL 1 DAY
      AND n.account_id IN (SELECT account_id FROM customers)
    GROUP BY n.account_id
),
-- Attribute names (settings) match ignoring case and surrounding spaces; blank values are no
-- data. When several stored names match, the exact spelling wins, then the first name.
wanted AS (
    SELECT * FROM (VALUES
        ('influence', CAST($influence_attribute AS VARCHAR)),
        ('feedback', CAST($feedback_attribute AS VARCHAR)),
        ('strategic', CAST($strategic_attribute AS VARCHAR))
    ) AS w(kind, name)
),
picked AS (
    SELECT
        a.account_id,
        w.kind,
        trim(a.value) AS value,
        row_number() OVER (
            PARTITION BY a.account_id, w.kind
            ORDER BY a.name <> w.name, a.name, trim(a.value)
        ) AS pick
    FROM account_attributes a
    JOIN wanted w ON lower(trim(a.name)) = lower(trim(w.name))
    WHERE coalesce(trim(a.value), '') <> ''
      AND a.account_id IN (SELECT account_id FROM customers)
),
attributes AS (
    SELECT
        account_id,
        max(value) FILTER (WHERE kind = 'influence') AS influence_value,
        max(value) FILTER (WHERE kind = 'feedback') AS feedback_value,
        max(value) FILTER (WHERE kind = 'strategic') AS strategic_value
    FROM picked
    WHERE pick = 1
    GROUP BY account_id
)
SELECT
    c.account_id,
    c.name,
    c.segment,
    c.csm_owner,
    c.mrr,
    CAST(n.latest_nps AS BIGINT) AS latest_nps,
    n.latest_nps_on,
    c.referenceable,
    t.influence_value,
    t.feedback_value,
    t.strategic_value
FROM customers c
LEFT JOIN nps n ON n.account_id = c.account_id
LEFT JOIN attributes t ON t.account_id = c.account_id
ORDER BY c.account_id
