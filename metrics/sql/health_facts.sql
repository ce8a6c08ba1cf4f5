-- health_facts: the health inputs that do not change with the account's seats (docs/health.md),
-- one row per account and date of the temp table health_population whose date is in
-- $fact_snaps: usage, adoption, engagement, support, sentiment and billing from the event
-- tables, and the commercial inputs from the temp table health_mrr. A query: metrics.health
-- runs it into a temp table for dates not precomputed, and refresh_health_facts into
-- health_fact_snapshot.
-- A date d stands for the whole day: events before d + 1 day count. "The last N days" = the N
-- dates d - N + 1 .. d. NULL = no data for that input:
--   usage, adoption and engagement inputs need a usage_daily row in the last 60 days (days
--   without a row inside a window then count as zero use; days since the last activity are
--   capped at 60 = no active day in those 60 days); support inputs need a ticket opened in
--   the last 365 days or still open; billing inputs need a billing event in the last 400
--   days or a card expiring within 30 days; the NPS input needs an answer in the last 365 days;
--   commercial inputs need MRR > 0 at the month end three months earlier.
-- The 60-day windows and the month look-back join on the day or the month (window_days: each
-- date's 60 days; lookback: its month and the three before) rather than on a range: a range
-- join over a year of month ends compared every usage row with every earlier date (minutes at
-- 100,000 accounts; equal for one date). The long look-backs (tickets, NPS, billing seen) keep
-- their range joins, the cheapest for the one or two dates scored live.
-- Parameters: $fact_snaps DATE[] (the dates to compute), $window_start DATE (first date - 60),
-- $last_snap DATE (the latest date), $all_accounts BOOLEAN and $account_ids VARCHAR[] (as for
-- health_population; they only make the scans cheaper for a few accounts).
WITH population AS (
    SELECT DISTINCT account_id, snap
    FROM health_population
    WHERE list_contains($fact_snaps, snap)
),
snaps AS (
    SELECT DISTINCT month, snap, CAST(snap AS TIMESTAMP) + INTERVAL 1 DAY AS snap_end
    FROM health_population
    WHERE list_contains($fact_snaps, snap)
),
window_days AS (
    SELECT s.snap, s.snap - CAST(k.range AS INTEGER) AS day
    FROM snaps s
    CROSS JOIN range(0, 60) k
),
usage_window AS (
    -- Daily active users and features cannot be summed into distinct people or features, so
    -- the 30-day figures are the peak day; events are summed. Only the 60 days up to each date
    -- are read: scanning all history made scoring 10x slower.
    SELECT
        u.account_id,
        w.snap,
        max(u.active_users) FILTER (WHERE u.date > w.snap - 30) AS active_users_30d,
        max(u.features_used) FILTER (WHERE u.date > w.snap - 30) AS features_used_30d,
        sum(u.events) FILTER (WHERE u.date > w.snap - 30) AS events_30d,
        sum(u.events) FILTER (WHERE u.date <= w.snap - 30)
            AS events_prev_30d,
        max(u.date) FILTER (WHERE u.active_users > 0 OR u.events > 0) AS last_active
    FROM usage_daily u
    JOIN window_days w ON u.date = w.day
    WHERE u.date > $window_start AND u.date <= $last_snap
      AND ($all_accounts OR list_contains($account_ids, u.account_id))
    GROUP BY u.account_id, w.snap
),
tickets AS (
    -- One row per account and date with support data: a ticket opened in the 365 days up to
    -- the date, or one opened earlier and still open on it.
    SELECT
        t.account_id,
        s.snap,
        count(*) FILTER (
            WHERE lower(t.priority) IN ('high', 'urgent')
              AND (t.closed_at IS NULL OR t.closed_at >= s.snap_end)
        ) AS open_high,
        count(*) FILTER (
            WHERE t.sla_breached AND t.opened_at >= s.snap_end - INTERVAL 90 DAY
        ) AS sla_breaches,
        avg(t.csat) FILTER (
            WHERE coalesce(t.closed_at, t.opened_at) >= s.snap_end - INTERVAL 90 DAY
              AND coalesce(t.closed_at, t.opened_at) < s.snap_end
        ) AS csat
    FROM support_tickets t
    JOIN snaps s
      ON t.opened_at < s.snap_end
     AND (t.opened_at >= s.snap_end - INTERVAL 365 DAY
          OR t.closed_at IS NULL OR t.closed_at >= s.snap_end)
    WHERE ($all_accounts OR list_contains($account_ids, t.account_id))
    GROUP BY t.account_id, s.snap
),
nps AS (
    SELECT
        n.account_id,
        s.snap,
        arg_max(n.score, (n.responded_at, n.score)) AS latest_nps,
        CAST(max(n.responded_at) AS DATE) AS latest_nps_on
    FROM nps_responses n
    JOIN snaps s
      ON n.responded_at >= s.snap_end - INTERVAL 365 DAY AND n.responded_at < s.snap_end
    WHERE ($all_accounts OR list_contains($account_ids, n.account_id))
    GROUP BY n.account_id, s.snap
),
billing_seen AS (
    -- Billing data: an event in the 400 days up to the date (long enough for an annual invoice).
    SELECT b.account_id, s.snap
    FROM billing_events b
    JOIN snaps s ON b.occurred_at >= s.snap_end - INTERVAL 400 DAY AND b.occurred_at < s.snap_end
    WHERE b.occurred_at >= CAST($window_start AS TIMESTAMP) - INTERVAL 340 DAY
      AND b.occurred_at < CAST($last_snap AS TIMESTAMP) + INTERVAL 1 DAY
      AND ($all_accounts OR list_contains($account_ids, b.account_id))
    GROUP BY b.account_id, s.snap
),
billing AS (
    -- Dunning: the latest failed payment or dunning notice of the last 60 days is active
    -- unless a card update, reinstatement or paid invoice comes strictly after it.
    SELECT
        b.account_id,
        s.snap,
        count(*) FILTER (
            WHERE b.event_type = 'payment_failed'
              AND b.occurred_at >= s.snap_end - INTERVAL 30 DAY
        ) AS failed_30d,
        max(b.occurred_at) FILTER (
            WHERE b.event_type IN ('payment_failed', 'dunning_notice')
        ) AS last_problem_at,
        max(b.occurred_at) FILTER (
            WHERE b.event_type IN ('card_updated', 'reinstated', 'invoice_paid')
        ) AS last_resolution_at,
    FROM billing_events b
    -- The 60 days up to the date's end (midnight after it) are the days snap - 59 .. snap.
    JOIN window_days w ON CAST(b.occurred_at AS DATE) = w.day
    JOIN snaps s ON s.snap = w.snap
    WHERE b.occurred_at >= CAST($window_start AS TIMESTAMP)
      AND b.occurred_at < CAST($last_snap AS TIMESTAMP) + INTERVAL 1 DAY
      AND ($all_accounts OR list_contains($account_ids, b.account_id))
    GROUP BY b.account_id, s.snap
),
lookback AS (
    -- The date's month (k = 0) and the three months before it.
    SELECT s.snap, k.range AS k, CAST(s.month - to_months(CAST(k.range AS INTEGER)) AS DATE) AS month
    FROM snaps s
    CROSS JOIN range(0, 4) k
),
mrr_points AS (
    -- MRR on the date's month (the date itself) and at the three month ends before it.
    SELECT
        m.account_id,
        l.snap,
        sum(m.mrr) FILTER (WHERE l.k = 0) AS m0,
        sum(m.mrr) FILTER (WHERE l.k = 1) AS m1,
        sum(m.mrr) FILTER (WHERE l.k = 2) AS m2,
        sum(m.mrr) FILTER (WHERE l.k = 3) AS m3
    FROM health_mrr m
    JOIN lookback l ON l.month = m.month
    GROUP BY m.account_id, l.snap
),
cards AS (
    -- A card_expiring row is dated on the card's expiry day (it may lie after the date). The
    -- card is expiring when that day is 0-30 days after the date and no card_updated falls
    -- between 30 days before the expiry day and the date.
    SELECT e.account_id, s.snap, min(CAST(e.occurred_at AS DATE)) AS card_expires_on
    FROM billing_events e
    JOIN snaps s
      ON CAST(e.occurred_at AS DATE) >= s.snap AND CAST(e.occurred_at AS DATE) <= s.snap + 30
    WHERE e.event_type = 'card_expiring'
      AND ($all_accounts OR list_contains($account_ids, e.account_id))
      AND NOT EXISTS (
          SELECT 1
          FROM billing_events u
          WHERE u.account_id = e.account_id
            AND u.event_type = 'card_updated'
            AND CAST(u.occurred_at AS DATE) >= CAST(e.occurred_at AS DATE) - 30
            AND u.occurred_at < s.snap_end
      )
    GROUP BY e.account_id, s.snap
)
SELECT
    p.account_id,
    p.snap,
    -- usage
    CASE WHEN uw.account_id IS NOT NULL THEN CAST(coalesce(uw.active_users_30d, 0) AS BIGINT) END
        AS active_users_30d,
    CASE WHEN uw.account_id IS NOT NULL THEN CAST(coalesce(uw.events_30d, 0) AS BIGINT) END
        AS events_30d,
    CASE WHEN uw.account_id IS NOT NULL THEN CAST(coalesce(uw.events_prev_30d, 0) AS BIGINT) END
        AS events_prev_30d,
    CASE WHEN uw.events_prev_30d > 0
         THEN 100.0 * (coalesce(uw.events_30d, 0) - uw.events_prev_30d) / uw.events_prev_30d
    END AS usage_change_pct,
    -- adoption
    CASE WHEN uw.account_id IS NOT NULL THEN CAST(coalesce(uw.features_used_30d, 0) AS BIGINT) END
        AS features_used_30d,
    -- engagement
    CASE WHEN uw.account_id IS NOT NULL
         THEN coalesce(date_diff('day', uw.last_active, p.snap), 60) END AS days_since_activity,
    uw.last_active AS last_active_on,
    -- support
    tk.open_high AS open_high_priority_tickets,
    tk.sla_breaches AS sla_breaches_90d,
    tk.csat AS csat_90d,
    -- sentiment
    CAST(nps.latest_nps AS BIGINT) AS latest_nps,
    nps.latest_nps_on,
    -- billing
    CASE WHEN bs.account_id IS NOT NULL OR cd.account_id IS NOT NULL
         THEN coalesce(bl.failed_30d, 0) END AS failed_payments_30d,
    CASE WHEN bs.account_id IS NOT NULL OR cd.account_id IS NOT NULL
         THEN bl.last_problem_at IS NOT NULL
              AND (bl.last_resolution_at IS NULL OR bl.last_resolution_at <= bl.last_problem_at)
    END AS dunning_active,
    CASE WHEN bs.account_id IS NOT NULL OR cd.account_id IS NOT NULL
         THEN cd.account_id IS NOT NULL
    END AS card_expiring_30d,
    cd.card_expires_on,
    -- commercial: month ends M-3 .. M-1 and the date itself
    coalesce(mp.m0, 0) AS mrr,
    coalesce(mp.m3, 0) AS mrr_3m_ago,
    CASE WHEN mp.m3 > 0 THEN 100.0 * (coalesce(mp.m0, 0) - mp.m3) / mp.m3 END
        AS mrr_change_pct_3m,
    CASE WHEN mp.m3 > 0 THEN 100.0 * (
            greatest(mp.m3 - coalesce(mp.m2, 0), 0)
            + greatest(coalesce(mp.m2, 0) - coalesce(mp.m1, 0), 0)
            + greatest(coalesce(mp.m1, 0) - coalesce(mp.m0, 0), 0)
        ) / mp.m3
    END AS contraction_pct_3m
FROM population p
LEFT JOIN usage_window uw ON uw.account_id = p.account_id AND uw.snap = p.snap
LEFT JOIN tickets tk ON tk.account_id = p.account_id AND tk.snap = p.snap
LEFT JOIN nps ON nps.account_id = p.account_id AND nps.snap = p.snap
LEFT JOIN billing_seen bs ON bs.account_id = p.account_id AND bs.snap = p.snap
LEFT JOIN billing bl ON bl.account_id = p.account_id AND bl.snap = p.snap
LEFT JOIN cards cd ON cd.account_id = p.account_id AND cd.snap = p.snap
LEFT JOIN mrr_points mp ON mp.account_id = p.account_id AND mp.snap = p.snap
