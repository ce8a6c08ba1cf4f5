-- Revenue moments on $as_of (docs/health.md, Revenue moments): one block per rule, each giving
-- at most one row per account. Only accounts in force on $as_of (temp table
-- health_population, built for that one date with the filters) are considered; ARR comes from
-- health_mrr (MRR on $as_of x 12). "At most N days ago" = a date d with $as_of - N <= d <= $as_of.
-- Usage windows: the last 30 days = $as_of - 29 .. $as_of, the 30 before = $as_of - 59 .. - 30.
-- Parameters: $as_of DATE, $billing_lookback_days INTEGER (the longest billing look-back the
-- rules need) and the MomentSettings fields of the same names.
WITH base AS (
    SELECT
        p.account_id,
        a.name AS account_name,
        a.csm_owner,
        a.segment,
        a.seats_purchased,
        coalesce(a.referenceable, false) AS referenceable,
        12 * coalesce(m.mrr, 0) AS arr
    FROM health_population p
    JOIN accounts a ON a.account_id = p.account_id
    LEFT JOIN health_mrr m ON m.account_id = p.account_id AND m.month = p.month
),
day_end AS (
    SELECT CAST($as_of AS TIMESTAMP) + INTERVAL 1 DAY AS as_of_end
),
billing AS (
    SELECT b.account_id, b.occurred_at, CAST(b.occurred_at AS DATE) AS day, b.event_type,
           abs(coalesce(b.amount, 0)) AS amount
    FROM billing_events b
    JOIN base USING (account_id)
    WHERE b.occurred_at < (SELECT as_of_end FROM day_end)
      AND b.occurred_at >= CAST($as_of - $billing_lookback_days AS TIMESTAMP)
),
usage AS (
    SELECT
        u.account_id,
        max(u.active_users) FILTER (WHERE u.date > $as_of - 30) AS active_users_30d,
        coalesce(sum(u.events) FILTER (WHERE u.date > $as_of - 30), 0) AS events_30d,
        coalesce(sum(u.events) FILTER (WHERE u.date <= $as_of - 30), 0) AS events_prev_30d
    FROM usage_daily u
    JOIN base USING (account_id)
    WHERE u.date > $as_of - 60 AND u.date <= $as_of
    GROUP BY u.account_id
),
has_usage AS (
    -- Accounts with any usage row up to $as_of. Most have one in the last 60 days (usage);
    -- only the others are looked up in older history, which keeps this from reading every
    -- usage row ever stored (it was the slowest part of the feed).
    SELECT account_id FROM usage
    UNION ALL
    SELECT DISTINCT u.account_id
    FROM usage_daily u
    WHERE u.date <= $as_of - 60
      AND u.account_id IN (
          SELECT account_id FROM base
          WHERE seats_purchased > 0 AND account_id NOT IN (SELECT account_id FROM usage)
      )
),
seat_subs AS (
    -- Seats = quantity of recurring, non-trial subscriptions on plans listed in `plans`
    -- (add-ons are not seats); an account with none listed counts all its subscriptions.
    SELECT
        s.account_id,
        coalesce(s.quantity, 1) AS quantity,
        s.start_date,
        s.start_date <= $as_of AND (s.end_date IS NULL OR $as_of < s.end_date) AS now_on,
        s.start_date <= $as_of - 30 AND (s.end_date IS NULL OR $as_of - 30 < s.end_date)
            AS before_on,
        pl.plan IS NOT NULL AS listed
    FROM subscriptions s
    JOIN base USING (account_id)
    LEFT JOIN plans pl ON pl.plan = s.plan
    WHERE coalesce(s.charge_type, 'recurring') = 'recurring'
      AND coalesce(s.status, 'active') <> 'trial'
),
seats AS (
    SELECT
        account_id,
        sum(quantity) FILTER (WHERE now_on AND (listed OR NOT any_listed)) AS seats_now,
        coalesce(sum(quantity) FILTER (WHERE before_on AND (listed OR NOT any_listed)), 0)
            AS seats_before,
        max(start_date) FILTER (WHERE now_on AND (listed OR NOT any_listed)
                                  AND start_date > $as_of - 30) AS changed_on
    FROM (
        SELECT *, bool_or(listed AND (now_on OR before_on)) OVER (PARTITION BY account_id)
            AS any_listed
        FROM seat_subs
    )
    GROUP BY account_id
),

-- Rule: card expiring. A card_expiring row is dated on the card's expiry day (it may lie after
-- $as_of): the expiry is 0 .. $card_expiring_days days ahead and no card_updated falls between
-- $card_expiring_days days before the expiry and $as_of. Dated on the day the expiry came
-- within $card_expiring_days days.
card_expiring AS (
    SELECT
        e.account_id,
        'card_expiring' AS moment_type,
        CAST(e.expires_on - $card_expiring_days AS DATE) AS occurred_on,
        'Card on file expires on ' || strftime(e.expires_on, '%Y-%m-%d') || ' (in '
            || date_diff('day', $as_of, e.expires_on) || ' days); no card update yet.'
            AS evidence,
        NULL::DOUBLE AS amount,
        'Ask the billing contact to update the card before the next charge.' AS next_step,
        'medium' AS severity
    FROM (
        SELECT c.account_id, min(CAST(c.occurred_at AS DATE)) AS expires_on
        FROM billing_events c
        JOIN base USING (account_id)
        WHERE c.event_type = 'card_expiring'
          AND CAST(c.occurred_at AS DATE) >= $as_of
          AND CAST(c.occurred_at AS DATE) <= $as_of + $card_expiring_days
          AND NOT EXISTS (
              SELECT 1 FROM billing_events u
              WHERE u.account_id = c.account_id
                AND u.event_type = 'card_updated'
                AND CAST(u.occurred_at AS DATE) >= CAST(c.occurred_at AS DATE) - $card_expiring_days
                AND u.occurred_at < (SELECT as_of_end FROM day_end)
          )
        GROUP BY c.account_id
    ) e
),

-- Rule: payment failed or dunning active. The latest payment_failed or dunning_notice at most
-- $payment_issue_days days old, with no card_updated, reinstated or invoice_paid after it.
payment_issue AS (
    SELECT
        p.account_id,
        'payment_failed' AS moment_type,
        p.day AS occurred_on,
        CASE WHEN p.event_type = 'payment_failed'
             THEN 'Payment of ' || printf('%,.2f', p.failed_amount) || ' failed on '
             ELSE 'Dunning notice sent on ' END
            || strftime(p.day, '%Y-%m-%d') || ' (' || date_diff('day', p.day, $as_of)
            || ' days ago); no card update, reinstatement or paid invoice since.' AS evidence,
        nullif(p.failed_amount, 0) AS amount,
        'Call the billing contact now: confirm the card, retry the charge or offer an invoice.'
            AS next_step,
        'high' AS severity
    FROM (
        SELECT
            account_id,
            max(occurred_at) AS at,
            CAST(max(occurred_at) AS DATE) AS day,
            arg_max(event_type, (occurred_at, event_type)) AS event_type,
            coalesce(arg_max(amount, occurred_at) FILTER (WHERE event_type = 'payment_failed'),
                     0) AS failed_amount
        FROM billing
        WHERE event_type IN ('payment_failed', 'dunning_notice')
          AND day >= $as_of - $payment_issue_days
        GROUP BY account_id
    ) p
    WHERE NOT EXISTS (
        SELECT 1 FROM billing r
        WHERE r.account_id = p.account_id
          AND r.event_type IN ('card_updated', 'reinstated', 'invoice_paid')
          AND r.occurred_at > p.at
    )
),

-- Rule: reinstated. A reinstated event at most $reinstated_days days old that follows a
-- payment_failed of the $payment_issue_days days before it.
reinstated AS (
    SELECT
        r.account_id,
        'reinstated' AS moment_type,
        r.day AS occurred_on,
        'Reinstated on ' || strftime(r.day, '%Y-%m-%d') || ' after a payment of '
            || printf('%,.2f', r.failed_amount) || ' failed on '
            || strftime(r.failed_day, '%Y-%m-%d') || '.' AS evidence,
        nullif(r.failed_amount, 0) AS amount,
        'Thank them, confirm the card on file and check the failure did not disrupt the team.'
            AS next_step,
        'low' AS severity
    FROM (
        SELECT
            r.account_id,
            max(r.day) AS day,
            arg_max(f.amount, (r.occurred_at, f.occurred_at)) AS failed_amount,
            CAST(arg_max(f.occurred_at, (r.occurred_at, f.occurred_at)) AS DATE) AS failed_day
        FROM billing r
        JOIN billing f
          ON f.account_id = r.account_id
         AND f.event_type = 'payment_failed'
         AND f.occurred_at < r.occurred_at
         AND f.day >= r.day - $payment_issue_days
        WHERE r.event_type = 'reinstated' AND r.day >= $as_of - $reinstated_days
        GROUP BY r.account_id
    ) r
),

-- Rule: upsell. Events of the last 30 days >= $upsell_usage_pct % of the plan's monthly
-- included units, or peak daily active users >= $upsell_usage_pct % of its seat limit. The
-- plan: of the account's active subscriptions on plans listed in `plans`, the one with the
-- most included units (then seats, then name).
plan_limits AS (
    SELECT
        s.account_id,
        arg_max(pl.plan, (coalesce(pl.included_units, 0), coalesce(pl.seat_limit, 0), pl.plan))
            AS plan,
        arg_max(pl.included_units,
                (coalesce(pl.included_units, 0), coalesce(pl.seat_limit, 0), pl.plan))
            AS included_units,
        arg_max(pl.seat_limit,
                (coalesce(pl.included_units, 0), coalesce(pl.seat_limit, 0), pl.plan))
            AS seat_limit
    FROM subscriptions s
    JOIN base USING (account_id)
    JOIN plans pl ON pl.plan = s.plan
    WHERE coalesce(s.charge_type, 'recurring') = 'recurring'
      AND coalesce(s.status, 'active') = 'active'
      AND s.start_date <= $as_of AND (s.end_date IS NULL OR $as_of < s.end_date)
    GROUP BY s.account_id
),
upsell AS (
    SELECT
        l.account_id,
        'upsell' AS moment_type,
        CAST($as_of AS DATE) AS occurred_on,
        'Last 30 days on ' || l.plan || ': '
            || printf('%,d', coalesce(u.events_30d, 0)) || ' of '
            || coalesce(printf('%,d', nullif(l.included_units, 0)), 'unlimited')
            || ' included events ('
            || coalesce(format('{:.1f}', 100.0 * coalesce(u.events_30d, 0)
                               / nullif(l.included_units, 0)), 'n/a')
            || ' %); peak active users ' || coalesce(u.active_users_30d, 0) || ' of '
            || coalesce(CAST(nullif(l.seat_limit, 0) AS VARCHAR), 'unlimited') || ' seats ('
            || coalesce(format('{:.1f}', 100.0 * coalesce(u.active_users_30d, 0)
                               / nullif(l.seat_limit, 0)), 'n/a')
            || ' %).' AS evidence,
        NULL::DOUBLE AS amount,
        'Propose the next plan or more seats before they hit the limit.' AS next_step,
        'medium' AS severity
    FROM plan_limits l
    JOIN usage u USING (account_id)
    WHERE (l.included_units > 0 AND u.events_30d * 100.0 >= $upsell_usage_pct * l.included_units)
       OR (l.seat_limit > 0
           AND coalesce(u.active_users_30d, 0) * 100.0 >= $upsell_usage_pct * l.seat_limit)
),

-- Rule: usage drop (at risk). Events of the last 30 days down by >= $usage_drop_pct % vs the
-- 30 days before (which must have events).
usage_drop AS (
    SELECT
        u.account_id,
        'usage_drop' AS moment_type,
        CAST($as_of AS DATE) AS occurred_on,
        'Events fell ' || format('{:.1f}', 100.0 * (u.events_prev_30d - u.events_30d)
                                          / u.events_prev_30d)
            || ' %: ' || printf('%,d', u.events_30d) || ' in the last 30 days vs '
            || printf('%,d', u.events_prev_30d) || ' in the 30 days before.' AS evidence,
        NULL::DOUBLE AS amount,
        'Find out what changed (champion left, project ended, outage) and book a usage review.'
            AS next_step,
        'high' AS severity
    FROM usage u
    WHERE u.events_prev_30d > 0
      AND u.events_30d * 100.0 <= (100.0 - $usage_drop_pct) * u.events_prev_30d
),

-- Rule: underutilised. Peak daily active users of the last 30 days below
-- $underutilised_pct % of seats purchased (accounts with usage data and seats purchased).
underutilised AS (
    SELECT
        b.account_id,
        'underutilised' AS moment_type,
        CAST($as_of AS DATE) AS occurred_on,
        'Peak active users in the last 30 days: ' || coalesce(u.active_users_30d, 0) || ' of '
            || b.seats_purchased || ' seats purchased ('
            || format('{:.1f}', 100.0 * coalesce(u.active_users_30d, 0) / b.seats_purchased)
            || ' %).' AS evidence,
        NULL::DOUBLE AS amount,
        'Run an adoption session: invite the unused seats and show the core workflows.'
            AS next_step,
        'medium' AS severity
    FROM base b
    JOIN has_usage h USING (account_id)
    LEFT JOIN usage u USING (account_id)
    WHERE b.seats_purchased > 0
      AND coalesce(u.active_users_30d, 0) * 100.0 < $underutilised_pct * b.seats_purchased
),

-- Rule: anniversary. The latest anniversary (1 year or more) of the first invoice_paid, at
-- most $anniversary_days days ago. A 29 February start celebrates on 28 February.
first_paid AS (
    SELECT b.account_id, CAST(min(b.occurred_at) AS DATE) AS first_day
    FROM billing_events b
    JOIN base USING (account_id)
    WHERE b.event_type = 'invoice_paid' AND b.occurred_at < (SELECT as_of_end FROM day_end)
    GROUP BY b.account_id
),
anniversaries AS (
    SELECT account_id, first_day, years,
           CAST(first_day + to_years(years) AS DATE) AS anniversary
    FROM (
        SELECT account_id, first_day,
               year($as_of) - year(first_day)
               - CASE WHEN CAST(first_day + to_years(year($as_of) - year(first_day)) AS DATE)
                           > $as_of THEN 1 ELSE 0 END AS years
        FROM first_paid
    )
),
anniversary AS (
    SELECT
        account_id,
        'anniversary' AS moment_type,
        anniversary AS occurred_on,
        years || CASE WHEN years = 1 THEN ' year' ELSE ' years' END
            || ' since the first payment (' || strftime(first_day, '%Y-%m-%d')
            || ') on ' || strftime(anniversary, '%Y-%m-%d') || '.' AS evidence,
        NULL::DOUBLE AS amount,
        'Send a thank-you with a recap of the value delivered this year.' AS next_step,
        'low' AS severity
    FROM anniversaries
    WHERE years >= 1 AND anniversary >= $as_of - $anniversary_days
),

-- Rule: seat milestone. Seats (see seat_subs) 30 days ago below a milestone and now at or
-- above it, for an account that had seats 30 days ago; the highest milestone crossed.
seat_milestone AS (
    SELECT
        s.account_id,
        'seat_milestone' AS moment_type,
        coalesce(s.changed_on, CAST($as_of AS DATE)) AS occurred_on,
        'Seats grew from ' || s.seats_before || ' to ' || s.seats_now
            || ' in the last 30 days, passing ' || max(m.milestone) || '.' AS evidence,
        NULL::DOUBLE AS amount,
        'Congratulate the champion and share what teams of this size do next.' AS next_step,
        'low' AS severity
    FROM seats s
    JOIN (SELECT unnest($seat_milestones) AS milestone) m
      ON s.seats_before < m.milestone AND m.milestone <= s.seats_now
    WHERE s.seats_before > 0
    GROUP BY s.account_id, s.changed_on, s.seats_before, s.seats_now
),

-- Rule: NPS. The latest answer at most $nps_days days old: <= $nps_detractor_max is a
-- detractor (save play), >= $nps_promoter_min a promoter (ask for a reference).
nps_latest AS (
    SELECT
        n.account_id,
        CAST(max(n.responded_at) AS DATE) AS day,
        arg_max(n.score, (n.responded_at, n.score)) AS score,
        arg_max(n.comment, (n.responded_at, n.score)) AS comment
    FROM nps_responses n
    JOIN base USING (account_id)
    WHERE n.responded_at < (SELECT as_of_end FROM day_end)
      AND n.responded_at >= CAST($as_of - $nps_days AS TIMESTAMP)
    GROUP BY n.account_id
),
nps_moment AS (
    SELECT
        n.account_id,
        CASE WHEN n.score <= $nps_detractor_max THEN 'nps_detractor' ELSE 'nps_promoter' END
            AS moment_type,
        n.day AS occurred_on,
        'NPS ' || n.score || ' on ' || strftime(n.day, '%Y-%m-%d')
            || CASE WHEN n.score >= $nps_promoter_min AND b.referenceable
                    THEN ' (already referenceable).' ELSE '.' END
            || coalesce(' Comment: "' || nullif(trim(n.comment), '') || '"', '') AS evidence,
        NULL::DOUBLE AS amount,
        CASE WHEN n.score <= $nps_detractor_max
             THEN 'Call within two days: acknowledge the feedback and agree a recovery plan.'
             ELSE 'Ask for a reference, review or case study while the goodwill is fresh.'
        END AS next_step,
        CASE WHEN n.score <= $nps_detractor_max THEN 'high' ELSE 'low' END AS severity
    FROM nps_latest n
    JOIN base b USING (account_id)
    WHERE n.score <= $nps_detractor_max OR n.score >= $nps_promoter_min
),

-- Rule: renewal window. An active subscription in force whose term_end is between
-- $renewal_window_days - $renewal_entered_days and $renewal_window_days days ahead (both
-- included): it entered the window (term_end - $renewal_window_days) at most
-- $renewal_entered_days days ago. The earliest such term_end per account.
renewal_window AS (
    SELECT
        account_id,
        'renewal_window' AS moment_type,
        CAST(term_end - $renewal_window_days AS DATE) AS occurred_on,
        'Contract renews on ' || strftime(term_end, '%Y-%m-%d') || ' ('
            || date_diff('day', $as_of, term_end) || ' days away); it entered the '
            || $renewal_window_days || '-day renewal window on '
            || strftime(CAST(term_end - $renewal_window_days AS DATE), '%Y-%m-%d') || '.'
            AS evidence,
        NULL::DOUBLE AS amount,
        'Start the renewal: confirm the decision maker, review health and plan the proposal.'
            AS next_step,
        'medium' AS severity
    FROM (
        SELECT s.account_id, min(s.term_end) AS term_end
        FROM subscriptions s
        JOIN base USING (account_id)
        WHERE coalesce(s.charge_type, 'recurring') = 'recurring'
          AND coalesce(s.status, 'active') = 'active'
          AND s.start_date <= $as_of AND (s.end_date IS NULL OR $as_of < s.end_date)
          AND s.term_end >= $as_of + ($renewal_window_days - $renewal_entered_days)
          AND s.term_end <= $as_of + $renewal_window_days
        GROUP BY s.account_id
    )
),

-- Rule: seats added. Seats (see seat_subs) up by at least $seats_added_min in the last 30
-- days, for an account that had seats 30 days ago.
seats_added AS (
    SELECT
        account_id,
        'seats_added' AS moment_type,
        coalesce(changed_on, CAST($as_of AS DATE)) AS occurred_on,
        'Seats went from ' || seats_before || ' to ' || seats_now || ' in the last 30 days (+'
            || (seats_now - seats_before) || ').' AS evidence,
        NULL::DOUBLE AS amount,
        'Check onboarding for the new users and look for a wider rollout.' AS next_step,
        'low' AS severity
    FROM seats
    WHERE seats_before > 0 AND seats_now - seats_before >= $seats_added_min
),

moments AS (
    SELECT * FROM card_expiring
    UNION ALL SELECT * FROM payment_issue
    UNION ALL SELECT * FROM reinstated
    UNION ALL SELECT * FROM upsell
    UNION ALL SELECT * FROM usage_drop
    UNION ALL SELECT * FROM underutilised
    UNION ALL SELECT * FROM anniversary
    UNION ALL SELECT * FROM seat_milestone
    UNION ALL SELECT * FROM nps_moment
    UNION ALL SELECT * FROM renewal_window
    UNION ALL SELECT * FROM seats_added
)
SELECT
    m.account_id,
    b.account_name,
    b.csm_owner,
    b.segment,
    m.moment_type,
    m.occurred_on,
    m.evidence,
    round(coalesce(m.amount, b.arr), 2) AS amount_at_stake,
    m.next_step AS suggested_next_step,
    m.severity
FROM moments m
JOIN base b USING (account_id)
ORDER BY m.occurred_on DESC, m.account_id, m.moment_type
