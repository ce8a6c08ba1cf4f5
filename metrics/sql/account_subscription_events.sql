-- Continues account_rows.sql: the account's subscription changes up to $as_of, classified
-- from the rows (docs/health.md, Account 360 timeline). Paid rows = recurring, not trials.
--   A paid row B *replaces* a paid row A when B starts within one day of A's end (end_date is
--   exclusive, so B starting on A's end_date is seamless) and after A started.
--   Start of a paid row:  replacing others  -> renewal when plan, seats and billing period are
--                                               unchanged (a new term, perhaps at a new price)
--                                               or MRR is unchanged; else upgrade / downgrade
--                                               by MRR (its MRR vs the replaced rows' last MRR);
--                         another paid row in force -> upgrade (a subscription added);
--                         earlier paid rows only    -> reactivation (after a gap);
--                         otherwise                 -> new (the first paid row).
--   End of a paid row (end_date <= $as_of) that nothing replaces:
--                         status 'paused'           -> pause;
--                         another paid row in force -> downgrade (a subscription removed);
--                         otherwise                 -> cancellation.
--   A trial's start -> trial; its end -> trial (unless a paid row starts within a day: converted).
--   A one-time charge -> add_on.
-- amount: the change in the account's MRR (reporting currency per month, + up / - down); for
-- add_on the one-time price; NULL for trials.
,
links AS (
    SELECT a.subscription_id AS from_id, b.subscription_id AS to_id
    FROM account_rows a
    JOIN account_rows b
      ON a.paid AND b.paid
     AND a.subscription_id <> b.subscription_id
     AND a.end_date IS NOT NULL
     AND b.start_date >= CAST(a.end_date - 1 AS DATE)
     AND b.start_date <= CAST(a.end_date + 1 AS DATE)
     AND b.start_date > a.start_date
),
replaced AS (
    -- The rows each row replaces: their MRR on their last day, and the largest one's terms.
    SELECT
        l.to_id AS subscription_id,
        sum(a.mrr_last) AS prev_mrr,
        arg_max(a.plan, (a.mrr_last, a.subscription_id)) AS prev_plan,
        arg_max(a.billing_period, (a.mrr_last, a.subscription_id)) AS prev_period,
        arg_max(a.quantity, (a.mrr_last, a.subscription_id)) AS prev_quantity
    FROM links l
    JOIN account_rows a ON a.subscription_id = l.from_id
    GROUP BY l.to_id
),
starts AS (
    SELECT
        r.*,
        p.prev_mrr,
        p.prev_plan,
        p.prev_period,
        p.prev_quantity,
        p.subscription_id IS NOT NULL AS replaces,
        EXISTS (
            SELECT 1 FROM account_rows o
            WHERE o.paid AND o.subscription_id <> r.subscription_id
              AND o.start_date < r.start_date
              AND (o.end_date IS NULL OR o.end_date > r.start_date)
        ) AS alongside,
        (
            SELECT max(o.end_date) FROM account_rows o
            WHERE o.paid AND o.subscription_id <> r.subscription_id
              AND o.start_date < r.start_date
        ) AS last_paid_end,
        EXISTS (
            SELECT 1 FROM account_rows t
            WHERE NOT t.paid AND t.charge_type = 'recurring'
              AND t.end_date >= CAST(r.start_date - 1 AS DATE)
              AND t.end_date <= CAST(r.start_date + 1 AS DATE)
        ) AS after_trial
    FROM account_rows r
    LEFT JOIN replaced p ON p.subscription_id = r.subscription_id
),
start_events AS (
    SELECT
        start_date AS occurred_on,
        'start' AS edge,
        CASE
            WHEN charge_type = 'one_time' THEN 'add_on'
            WHEN NOT paid THEN 'trial'
            WHEN replaces THEN CASE
                WHEN (plan = prev_plan AND quantity = prev_quantity
                      AND billing_period = prev_period)
                     OR round(mrr_first, 2) = round(prev_mrr, 2) THEN 'renewal'
                WHEN mrr_first > prev_mrr THEN 'upgrade'
                ELSE 'downgrade'
            END
            WHEN alongside THEN 'upgrade'
            WHEN last_paid_end IS NOT NULL THEN 'reactivation'
            ELSE 'new'
        END AS event,
        subscription_id,
        plan,
        billing_period,
        quantity,
        mrr_first AS mrr,
        prev_mrr,
        prev_plan,
        prev_period,
        prev_quantity,
        CASE WHEN paid AND NOT replaces AND NOT alongside
             THEN date_diff('day', last_paid_end, start_date) END AS gap_days,
        paid AND after_trial AS after_trial,
        CASE
            WHEN charge_type = 'one_time' THEN mrr_first
            WHEN NOT paid THEN NULL
            ELSE mrr_first - coalesce(prev_mrr, 0)
        END AS amount
    FROM starts
),
end_events AS (
    SELECT
        r.end_date AS occurred_on,
        'end' AS edge,
        CASE
            WHEN NOT r.paid THEN 'trial'
            WHEN r.status = 'paused' THEN 'pause'
            WHEN EXISTS (
                SELECT 1 FROM account_rows o
                WHERE o.paid AND o.subscription_id <> r.subscription_id
                  AND o.start_date <= r.end_date
                  AND (o.end_date IS NULL OR o.end_date > r.end_date)
            ) THEN 'downgrade'
            ELSE 'cancellation'
        END AS event,
        r.subscription_id,
        r.plan,
        r.billing_period,
        r.quantity,
        r.mrr_last AS mrr,
        NULL::DOUBLE AS prev_mrr,
        NULL::VARCHAR AS prev_plan,
        NULL::VARCHAR AS prev_period,
        NULL::INTEGER AS prev_quantity,
        NULL::BIGINT AS gap_days,
        false AS after_trial,
        CASE WHEN r.paid THEN -r.mrr_last END AS amount
    FROM account_rows r
    WHERE r.charge_type = 'recurring'
      AND r.end_date IS NOT NULL AND r.end_date <= $as_of
      AND r.subscription_id NOT IN (SELECT from_id FROM links)
      AND NOT (
          NOT r.paid AND EXISTS (
              SELECT 1 FROM account_rows b
              WHERE b.paid
                AND b.start_date >= CAST(r.end_date - 1 AS DATE)
                AND b.start_date <= CAST(r.end_date + 1 AS DATE)
          )
      )
)
SELECT * FROM start_events
UNION ALL
SELECT * FROM end_events
ORDER BY occurred_on, edge DESC, subscription_id
