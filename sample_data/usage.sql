-- Expand usage segments into usage_daily for the days $first_day .. $last_day (day numbers,
-- one period of sample_data.usage.PERIOD_DAYS): one row per account and day, written sorted by
-- account and day (see sample_data/usage.py for why). Levels are interpolated linearly within a
-- segment, then shaped by a weekend factor, a year-end holiday dip and deterministic noise
-- derived from hash($seed, account_id, day) (n1 is shared by users and events so they move
-- together).
INSERT INTO usage_daily (account_id, date, active_users, events, features_used)
WITH days AS (
    SELECT
        s.account_id,
        CAST(DATE '1970-01-01' + CAST(s.seg_start + r.range AS INTEGER) AS DATE) AS d,
        (r.range + 0.5) / (s.seg_end - s.seg_start) AS frac,
        s.users0, s.users1, s.events0, s.events1, s.features0, s.features1,
        s.features_cap, s.weekend,
        hash($seed, s.account_id, s.seg_start + r.range) AS h
    FROM _demo_usage_segments AS s,
        range(
            greatest(0, $first_day - s.seg_start),
            least(s.seg_end, $last_day + 1) - s.seg_start
        ) AS r
    WHERE s.seg_start <= $last_day AND s.seg_end > $first_day
),
shaped AS (
    SELECT
        account_id,
        d,
        features_cap,
        CASE WHEN isodow(d) >= 6 THEN weekend ELSE 1.0 END
            * CASE
                WHEN (month(d) = 12 AND dayofmonth(d) >= 24) OR (month(d) = 1 AND dayofmonth(d) = 1)
                THEN 0.55 ELSE 1.0
            END AS season,
        0.85 + 0.3 * ((h % 1000003) / 1000003.0) AS n1,
        0.8 + 0.4 * (((h // 1000003) % 1000003) / 1000003.0) AS n2,
        users0 + (users1 - users0) * frac AS users_level,
        events0 + (events1 - events0) * frac AS events_level,
        features0 + (features1 - features0) * frac AS features_level
    FROM days
)
SELECT
    account_id,
    d,
    CAST(round(users_level * season * n1) AS INTEGER),
    CASE WHEN round(users_level * season * n1) = 0 THEN 0
        ELSE CAST(round(events_level * season * n1 * n2) AS BIGINT) END,
    CASE WHEN round(users_level * season * n1) = 0 THEN 0
        ELSE CAST(least(features_cap, greatest(1, round(features_level * (0.6 + 0.4 * season) * n2)))
            AS INTEGER) END
FROM shaped
ORDER BY account_id, d
