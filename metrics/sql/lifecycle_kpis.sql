,
-- Accounts passing the account filters (segment, region, CSM owner, custom attribute, as in
-- health_population.sql); the plan filter keeps accounts that ever had a recurring
-- subscription on one of the plans. Parameters: $segments, $regions, $owners, $plans
-- VARCHAR[], $attribute VARCHAR, $attribute_values VARCHAR[] (empty = no filter),
-- $window_start DATE (first day of the window), $as_of DATE, $reporting_currency VARCHAR.
acct AS (
    SELECT a.account_id, a.created_at, a.seats_purchased,
           coalesce(a.referenceable, false) AS referenceable
    FROM accounts a
    WHERE (len($segments) = 0 OR list_contains($segments, a.segment))
      AND (len($regions) = 0 OR list_contains($regions, a.region))
      AND (len($owners) = 0 OR list_contains($owners, a.csm_owner))
      AND (len($attribute_values) = 0 OR a.account_id IN (
          SELECT account_id FROM account_attributes
          WHERE name = $attribute AND list_contains($attribute_values, value)))
      AND (len($plans) = 0 OR a.account_id IN (
          SELECT account_id FROM subscriptions
          WHERE coalesce(charge_type, 'recurring') = 'recurring'
            AND list_contains($plans, plan)))
),
-- Paying subscriptions: recurring, not a trial, priced above 0 (subscription_terms.sql).
paying AS (
    SELECT account_id, plan, start_date
    FROM subscriptions
    WHERE coalesce(charge_type, 'recurring') = 'recurring'
      AND coalesce(status, 'active') <> 'trial'
      AND amount > 0
),
-- Customers on a day: MRR > 0 (METRICS.md, MRR); with a plan filter, MRR on one of the plans.
held AS (
    SELECT m.month, m.account_id, list(m.plan ORDER BY m.plan) AS plans,
           bool_or(list_contains($plans, m.plan)) AS on_plan
    FROM subscription_mrr m
    JOIN acct a ON a.account_id = m.account_id
    GROUP BY m.month, m.account_id
),
customers AS (
    SELECT h.account_id, a.referenceable
    FROM held h JOIN acct a ON a.account_id = h.account_id
    WHERE h.month = $month AND (len($plans) = 0 OR h.on_plan)
),
base_customers AS (
    SELECT account_id, plans FROM held
    WHERE month = $base_month AND (len($plans) = 0 OR on_plan)
),
-- Trials started in the window; converted = a paying subscription of the same account started
-- on or after the trial start, up to as-of; decided = converted or ended (end_date <= as-of).
trials AS (
    SELECT
        s.subscription_id,
        s.end_date IS NOT NULL AND s.end_date <= $as_of AS ended,
        EXISTS (
            SELECT 1 FROM paying p
            WHERE p.account_id = s.account_id
              AND p.start_date >= s.start_date AND p.start_date <= $as_of
        ) AS converted
    FROM subscriptions s
    JOIN acct a ON a.account_id = s.account_id
    WHERE s.status = 'trial' AND coalesce(s.charge_type, 'recurring') = 'recurring'
      AND s.start_date BETWEEN $window_start AND $as_of
),
-- Won new-business opportunities closed in the window: stage Closed Won / closedwon / Won
-- (spaces and case ignored), not a renewal, type containing 'new' (New Business, New
-- Customer, newbusiness). Amounts in the reporting currency at the rate in force on the close
-- date (no rate: left out of the contract value). Cycle = close date - account created_at.
won_new AS (
    SELECT
        CASE WHEN a.created_at <= o.close_date
             THEN datediff('day', a.created_at, o.close_date) END AS cycle_days,
        o.amount * CASE
            WHEN coalesce(nullif(o.currency, ''), $reporting_currency) = $reporting_currency
            THEN 1.0 ELSE r.rate END AS amount_reporting
    FROM opportunities o
    JOIN acct a ON a.account_id = o.account_id
    ASOF LEFT JOIN fx_rates r ON o.currency = r.currency AND o.close_date >= r.valid_from
    WHERE lower(replace(coalesce(o.stage, ''), ' ', '')) IN ('closedwon', 'won')
      AND NOT coalesce(o.is_renewal, false)
      AND lower(coalesce(o.type, '')) LIKE '%new%'
      AND o.close_date BETWEEN $window_start AND $as_of
),
-- Onboarding cohorts: accounts whose first paying day lies in the window and at least N days
-- before as-of, with seats, whose week ending on day N lies inside the usage history.
onboarded AS (
    SELECT p.account_id, min(p.start_date) AS onboarded_on, any_value(a.seats_purchased) AS seats
    FROM paying p JOIN acct a ON a.account_id = p.account_id
    GROUP BY p.account_id
),
marks AS (SELECT unnest([30, 60, 90]) AS n),
cohort AS (
    SELECT m.n, o.account_id, o.onboarded_on + m.n AS day_n, o.seats
    FROM onboarded o CROSS JOIN marks m
    WHERE o.onboarded_on >= $window_start
      AND o.onboarded_on + m.n <= $as_of
      AND o.seats > 0
      AND o.onboarded_on + m.n - 6 >= (SELECT min(date) FROM usage_daily)
),
onboard AS (
    SELECT c.n, least(1.0, coalesce(max(u.active_users), 0) / c.seats) AS share
    FROM cohort c
    LEFT JOIN usage_daily u
      ON u.account_id = c.account_id AND u.date BETWEEN c.day_n - 6 AND c.day_n
    GROUP BY c.n, c.account_id, c.seats
),
-- Usage of customers over the 30 days ending on as-of (a day is active when active_users > 0).
usage30 AS (
    SELECT
        c.account_id,
        count(u.date) FILTER (WHERE u.active_users > 0) AS active_days,
        avg(u.features_used) FILTER (WHERE u.active_users > 0) AS features
    FROM customers c
    LEFT JOIN usage_daily u
      ON u.account_id = c.account_id
     AND u.date BETWEEN CAST($as_of AS DATE) - 29 AND CAST($as_of AS DATE)
    GROUP BY c.account_id
),
tickets AS (
    SELECT t.sla_breached, CASE WHEN t.csat BETWEEN 1 AND 5 THEN t.csat END AS csat
    FROM support_tickets t
    JOIN acct a ON a.account_id = t.account_id
    WHERE t.opened_at >= CAST($window_start AS TIMESTAMP)
      AND t.opened_at < CAST($as_of AS TIMESTAMP) + INTERVAL 1 DAY
),
-- Each account's latest NPS answer in the window; same-time answers: the higher score.
nps AS (
    SELECT n.account_id, arg_max(n.score, (n.responded_at, n.score)) AS score
    FROM nps_responses n
    JOIN acct a ON a.account_id = n.account_id
    WHERE n.responded_at >= CAST($window_start AS TIMESTAMP)
      AND n.responded_at < CAST($as_of AS TIMESTAMP) + INTERVAL 1 DAY
    GROUP BY n.account_id
),
-- Customers on the base day that started paying for a plan they did not hold then.
cross_sold AS (
    SELECT DISTINCT b.account_id
    FROM base_customers b
    JOIN paying p ON p.account_id = b.account_id
    WHERE p.start_date > $base_day AND p.start_date <= $as_of
      AND NOT list_contains(b.plans, coalesce(nullif(p.plan, ''), '(no plan)'))
)
SELECT
    (SELECT count(*) FROM subscriptions WHERE status = 'trial') AS trials_stored,
    (SELECT count(*) FILTER (WHERE converted) FROM trials) AS trials_converted,
    (SELECT count(*) FILTER (WHERE converted OR ended) FROM trials) AS trials_decided,
    (SELECT count(*) FROM opportunities) AS opportunities_stored,
    (SELECT count(cycle_days) FROM won_new) AS cycle_count,
    (SELECT sum(cycle_days) FROM won_new) AS cycle_days_sum,
    (SELECT count(amount_reporting) FROM won_new) AS won_count,
    (SELECT sum(amount_reporting) FROM won_new) AS won_amount_sum,
    (SELECT count(*) FROM usage_daily) AS usage_stored,
    (SELECT count(*) FROM accounts WHERE seats_purchased > 0) AS seats_stored,
    (SELECT count(*) FROM onboard WHERE n = 30) AS onboard30_count,
    (SELECT sum(share) FROM onboard WHERE n = 30) AS onboard30_sum,
    (SELECT count(*) FROM onboard WHERE n = 60) AS onboard60_count,
    (SELECT sum(share) FROM onboard WHERE n = 60) AS onboard60_sum,
    (SELECT count(*) FROM onboard WHERE n = 90) AS onboard90_count,
    (SELECT sum(share) FROM onboard WHERE n = 90) AS onboard90_sum,
    (SELECT count(*) FROM usage30) AS usage_customers,
    (SELECT sum(active_days) FROM usage30) AS active_days_sum,
    (SELECT count(features) FROM usage30) AS breadth_count,
    (SELECT sum(features) FROM usage30) AS breadth_sum,
    (SELECT count(*) FROM support_tickets) AS tickets_stored,
    (SELECT count(*) FROM tickets) AS tickets_opened,
    (SELECT count(*) FILTER (WHERE NOT coalesce(sla_breached, false)) FROM tickets)
        AS tickets_in_sla,
    (SELECT count(csat) FROM tickets) AS csat_count,
    (SELECT sum(csat) FROM tickets) AS csat_sum,
    (SELECT count(*) FROM base_customers) AS base_customers,
    (SELECT count(*) FROM cross_sold) AS cross_sold,
    (SELECT count(*) FROM customers) AS customers,
    (SELECT count(*) FILTER (WHERE referenceable) FROM customers) AS referenceable,
    (SELECT count(*) FROM nps_responses) AS nps_stored,
    (SELECT count(*) FROM nps) AS nps_accounts,
    (SELECT count(*) FILTER (WHERE score >= 9) FROM nps) AS promoters,
    (SELECT count(*) FILTER (WHERE score BETWEEN 7 AND 8) FROM nps) AS passives,
    (SELECT count(*) FILTER (WHERE score <= 6) FROM nps) AS detractors
