-- Month-end MRR per account and plan for every month from the first start to $horizon.
INSERT INTO mrr_snapshot
WITH snaps AS (
    SELECT CAST(m AS DATE) AS month, last_day(CAST(m AS DATE)) AS snap
    FROM range(CAST($first_month AS TIMESTAMP),
               CAST($horizon AS TIMESTAMP) + INTERVAL 1 MONTH,
               INTERVAL 1 MONTH) AS t(m)
),
