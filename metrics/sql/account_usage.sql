-- One account's daily usage for $first_day .. $as_of with the plan limits of each day
-- (Account 360 usage chart). Days without a usage row count as zero use (as in health).
-- The plan of a day: of the recurring subscriptions in force that day on plans listed in
-- `plans`, the one with the most included units (then seats, then name) -- the upsell rule's
-- plan (docs/health.md), whatever the rows' final status. included_units is per month, so the
-- daily limit is included_units / days in that month. seats_purchased is today's value
-- (accounts.seats_purchased is not kept historically).
-- Parameters: $account_id VARCHAR, $first_day DATE, $as_of DATE.
WITH days AS (
    SELECT CAST(d AS DATE) AS date
    FROM range(CAST($first_day AS TIMESTAMP), CAST($as_of AS TIMESTAMP) + INTERVAL 1 DAY,
               INTERVAL 1 DAY) AS t(d)
),
usage AS (
    SELECT date, active_users, events, features_used
    FROM usage_daily
    WHERE account_id = $account_id AND date >= $first_day AND date <= $as_of
),
limits AS (
    SELECT
        d.date,
        arg_max(pl.included_units,
                (coalesce(pl.included_units, 0), coalesce(pl.seat_limit, 0), pl.plan))
            AS included_units,
        arg_max(pl.seat_limit,
                (coalesce(pl.included_units, 0), coalesce(pl.seat_limit, 0), pl.plan))
            AS seat_limit
    FROM days d
    JOIN subscriptions s
      ON s.account_id = $account_id
     AND coalesce(s.charge_type, 'recurring') = 'recurring'
     AND s.start_date <= d.date
     AND (s.end_date IS NULL OR d.date < s.end_date)
    JOIN plans pl ON pl.plan = s.plan
    GROUP BY d.date
)
SELECT
    d.date,
    CAST(coalesce(u.active_users, 0) AS BIGINT) AS active_users,
    CAST(coalesce(u.events, 0) AS BIGINT) AS events,
    CAST(coalesce(u.features_used, 0) AS BIGINT) AS features_used,
    CAST(a.seats_purchased AS BIGINT) AS seats_purchased,
    CAST(l.seat_limit AS BIGINT) AS seat_limit,
    l.included_units / dayofmonth(last_day(d.date)) AS included_units_per_day
FROM days d
CROSS JOIN (SELECT seats_purchased FROM accounts WHERE account_id = $account_id) a
LEFT JOIN usage u ON u.date = d.date
LEFT JOIN limits l ON l.date = d.date
ORDER BY d.date
