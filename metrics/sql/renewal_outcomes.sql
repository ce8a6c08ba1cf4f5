-- Outcome of every renewal in renewal_due (METRICS.md, Renewals; docs/renewals.md), from the
-- MRR priced on the day before, on, and grace days after each due date D (renewal_point_mrr).
--   arr_due      = 12 x the account's MRR on D - 1 (the last day of the old term);
--                  renewals with arr_due = 0 (the account paid nothing then) are left out
--   arr_renewed  = 12 x the account's MRR on D + $grace (0 = churned)
--   renewed_on   = D when the account's MRR on D is above 0 (no gap), else the first start of a
--                  paying recurring subscription after D and on or before $as_of; a 'renewed'
--                  status logged earlier in renewal_work moves it earlier. Empty = never renewed.
--   first_touch_at = the first change logged for the renewal (account_id + renewal_date) in
--                  renewal_work with a status other than 'not contacted', before D.
-- Parameters: $grace INTEGER, $as_of DATE.
WITH priced AS (
    SELECT
        d.account_id,
        d.renewal_date,
        12 * b.mrr AS arr_due,
        o.mrr AS mrr_on_due_date,
        12 * g.mrr AS arr_renewed
    FROM renewal_due d
    JOIN renewal_point_mrr b
      ON b.account_id = d.account_id AND b.on_date = CAST(d.renewal_date - 1 AS DATE)
    JOIN renewal_point_mrr o
      ON o.account_id = d.account_id AND o.on_date = d.renewal_date
    JOIN renewal_point_mrr g
      ON g.account_id = d.account_id AND g.on_date = CAST(d.renewal_date + $grace AS DATE)
    WHERE b.mrr > 0
),
returned AS (
    SELECT p.account_id, p.renewal_date, min(s.start_date) AS returned_on
    FROM priced p
    JOIN subscriptions s
      ON s.account_id = p.account_id
     AND s.start_date > p.renewal_date
     AND s.start_date <= $as_of
    WHERE p.mrr_on_due_date = 0
      AND coalesce(s.charge_type, 'recurring') = 'recurring'
      AND coalesce(s.status, 'active') <> 'trial'
      AND s.amount > 0
    GROUP BY p.account_id, p.renewal_date
),
work AS (
    SELECT
        w.account_id,
        w.renewal_date,
        min(w.changed_at) FILTER (
            WHERE w.status <> 'not contacted' AND w.changed_at < CAST(w.renewal_date AS TIMESTAMP)
        ) AS first_touch_at,
        min(w.changed_at) FILTER (WHERE w.status = 'renewed') AS first_renewed_at
    FROM renewal_work w
    JOIN renewal_due d ON d.account_id = w.account_id AND d.renewal_date = w.renewal_date
    GROUP BY w.account_id, w.renewal_date
),
revenue_dated AS (
    SELECT
        p.*,
        CASE WHEN p.mrr_on_due_date > 0 THEN p.renewal_date ELSE r.returned_on END
            AS revenue_renewed_on,
        w.first_touch_at,
        CAST(w.first_renewed_at AS DATE) AS logged_renewed_on
    FROM priced p
    LEFT JOIN returned r ON r.account_id = p.account_id AND r.renewal_date = p.renewal_date
    LEFT JOIN work w ON w.account_id = p.account_id AND w.renewal_date = p.renewal_date
),
dated AS (
    SELECT
        *,
        CASE WHEN revenue_renewed_on IS NOT NULL
            THEN least(revenue_renewed_on, coalesce(logged_renewed_on, revenue_renewed_on))
        END AS renewed_on
    FROM revenue_dated
)
SELECT
    d.account_id,
    a.name,
    a.segment,
    a.csm_owner,
    d.renewal_date,
    CAST(date_trunc('quarter', d.renewal_date) AS DATE) AS quarter,
    d.arr_due,
    d.arr_renewed,
    CASE
        WHEN d.arr_renewed <= 0 THEN 'churn'
        WHEN round(d.arr_renewed, 2) > round(d.arr_due, 2) THEN 'renewal with upsell'
        WHEN round(d.arr_renewed, 2) < round(d.arr_due, 2) THEN 'renewal with downsell'
        ELSE 'renewal'
    END AS outcome,
    d.arr_renewed > 0 AS renewed,
    d.renewed_on,
    coalesce(d.renewed_on <= d.renewal_date, false) AS renewed_before_expiration,
    d.first_touch_at,
    date_diff('day', CAST(d.first_touch_at AS DATE), d.renewal_date) AS contact_days_in_advance
FROM dated d
JOIN accounts a ON a.account_id = d.account_id
ORDER BY d.renewal_date, d.account_id
