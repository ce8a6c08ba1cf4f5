-- decision_churns: every time an account stopped paying (its MRR went to 0) in the window, with
-- no paying subscription carrying it on (docs/insights.md, Decisions).
-- Paying = a recurring, non-trial subscription with amount × quantity × (1 − discount) > 0
-- (METRICS.md, MRR: trials and 100 %-discount subscriptions contribute 0), started on or before
-- the as-of date. Touching or overlapping paying subscriptions form one spell; a spell that ends
-- (its latest end_date, exclusive) in ($window_start, $as_of] is a churn on that end date.
-- Parameters: $window_start DATE, $as_of DATE.
WITH paying AS (
    SELECT
        account_id,
        start_date,
        coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM subscriptions
    WHERE coalesce(charge_type, 'recurring') = 'recurring'
      AND coalesce(status, 'active') <> 'trial'
      AND coalesce(amount, 0) * coalesce(quantity, 1) * (1 - coalesce(discount_pct, 0) / 100) > 0
      AND start_date <= $as_of
      AND start_date < coalesce(end_date, DATE '9999-12-31')
),
ordered AS (
    SELECT
        *,
        max(end_date) OVER (
            PARTITION BY account_id ORDER BY start_date, end_date
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS earlier_end
    FROM paying
),
spells AS (
    SELECT
        *,
        sum(CASE WHEN earlier_end IS NULL OR start_date > earlier_end THEN 1 ELSE 0 END) OVER (
            PARTITION BY account_id ORDER BY start_date, end_date ROWS UNBOUNDED PRECEDING
        ) AS spell
    FROM ordered
)
SELECT account_id, max(end_date) AS churned_on
FROM spells
GROUP BY account_id, spell
HAVING max(end_date) > $window_start AND max(end_date) <= $as_of
ORDER BY churned_on, account_id
