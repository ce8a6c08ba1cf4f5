-- Billing events from the subscription rows (_demo_subs) plus Python-made extras
-- (_demo_billing_extra: card expiries/updates, SLA credits), converted into USD at the
-- monthly rate in force on the event's day. Parameters: $seed, $as_of (DATE),
-- $cutoff (TIMESTAMP, start of the day after as_of; only card_expiring may lie later).
--
-- One invoice per billing period from start_date (one-time charges: one invoice), while the
-- period starts before end_date and on or before as_of. Each invoice is either paid, or fails:
--   recovered: payment_failed, dunning_notice (+2 d), card_updated (card payers, +3-6 d),
--              reinstated and invoice_paid minutes later;
--   open:      payment_failed, dunning notices at +2 and +7 days, nothing else yet;
--   lost:      the last invoice of an involuntary churn: failed, dunning at +2, +7 and +14 d.
-- A row ended by a mid-period plan change credits the unused share of its last charge:
-- as a negative proration for growth (the new plan is invoiced at once), as a negative
-- credit (account balance) for contraction or downgrade. A row ended at once (immediate
-- cancellation or pause) refunds its last charge.
INSERT INTO billing_events (account_id, occurred_at, event_type, amount)
WITH subs AS (
    SELECT
        s.subscription_id, s.account_id, s.currency, s.start_date, s.end_date,
        s.period_months, s.end_reason, s.immediate, s.involuntary, s.charge_type,
        round(s.amount * s.quantity * (1 - s.discount_pct / 100.0), 2) AS charge,
        a.card_payer, a.fail_day, a.fail_recovers, a.random_failures,
        least(coalesce(s.end_date, $as_of + 1), $as_of + 1) AS bill_until
    FROM _demo_subs AS s
    JOIN _demo_billing_accounts AS a USING (account_id)
    WHERE s.status <> 'trial' AND s.amount > 0 AND s.discount_pct < 100
),
invoices AS (
    SELECT
        subs.*,
        r.range AS k,
        CASE WHEN period_months = 0 THEN start_date
            ELSE CAST(start_date + to_months(CAST(r.range * period_months AS INTEGER)) AS DATE)
        END AS inv_date
    FROM subs,
        range(CASE WHEN period_months = 0 THEN 1
            ELSE date_diff('month', start_date, bill_until) // period_months + 2 END) AS r
),
billed AS (
    SELECT
        *,
        max(k) OVER (PARTITION BY subscription_id) AS k_last,
        hash($seed, subscription_id, k) AS h
    FROM invoices
    WHERE inv_date < bill_until
),
outcomes AS (
    SELECT
        *,
        CASE
            WHEN inv_date = fail_day THEN CASE WHEN fail_recovers THEN 'recovered' ELSE 'open' END
            WHEN involuntary AND k = k_last THEN 'lost'
            WHEN random_failures AND charge_type = 'recurring'
                AND h % 10000 < CASE WHEN card_payer THEN 250 ELSE 40 END THEN 'recovered'
            ELSE 'paid'
        END AS outcome,
        inv_date + INTERVAL 6 HOUR + to_minutes(CAST(h % 120 AS INTEGER)) AS billed_at,
        inv_date + INTERVAL 14 HOUR + to_days(CAST(3 + (h // 7) % 4 AS INTEGER))
            + to_minutes(CAST((h // 1000) % 50 AS INTEGER)) AS recovered_at
    FROM billed
),
prorated AS (
    SELECT
        *,
        CAST(start_date + to_months(CAST((k + 1) * period_months AS INTEGER)) AS DATE)
            AS next_boundary
    FROM outcomes
    WHERE k = k_last AND period_months > 0
        AND end_reason IN ('expansion', 'upgrade', 'annual_switch', 'contraction', 'downgrade')
),
events AS (
    SELECT account_id, currency, billed_at AS occurred_at, 'invoice_paid' AS event_type,
        charge AS amount
    FROM outcomes WHERE outcome = 'paid'
    UNION ALL
    SELECT account_id, currency, billed_at, 'payment_failed', charge
    FROM outcomes WHERE outcome <> 'paid'
    UNION ALL
    SELECT account_id, currency, inv_date + INTERVAL 2 DAY + INTERVAL 9 HOUR, 'dunning_notice',
        charge
    FROM outcomes WHERE outcome <> 'paid'
    UNION ALL
    SELECT account_id, currency, inv_date + INTERVAL 7 DAY + INTERVAL 9 HOUR, 'dunning_notice',
        charge
    FROM outcomes WHERE outcome IN ('open', 'lost')
    UNION ALL
    SELECT account_id, currency, inv_date + INTERVAL 14 DAY + INTERVAL 9 HOUR, 'dunning_notice',
        charge
    FROM outcomes WHERE outcome = 'lost'
    UNION ALL
    SELECT account_id, currency, recovered_at, 'card_updated', 0.0
    FROM outcomes WHERE outcome = 'recovered' AND card_payer
    UNION ALL
    SELECT account_id, currency, recovered_at + INTERVAL 1 MINUTE, 'reinstated', 0.0
    FROM outcomes WHERE outcome = 'recovered'
    UNION ALL
    SELECT account_id, currency, recovered_at + INTERVAL 2 MINUTE, 'invoice_paid', charge
    FROM outcomes WHERE outcome = 'recovered'
    UNION ALL
    SELECT account_id, currency, end_date + INTERVAL 10 HOUR,
        CASE WHEN end_reason IN ('contraction', 'downgrade') THEN 'credit' ELSE 'proration' END,
        -round(charge * date_diff('day', end_date, next_boundary)
            / date_diff('day', inv_date, next_boundary), 2)
    FROM prorated WHERE next_boundary > end_date
    UNION ALL
    SELECT account_id, currency, end_date + INTERVAL 11 HOUR, 'refund', -charge
    FROM outcomes WHERE k = k_last AND immediate
    UNION ALL
    SELECT account_id, currency, occurred_at, event_type, amount
    FROM _demo_billing_extra
)
SELECT
    e.account_id,
    e.occurred_at,
    e.event_type,
    round(e.amount * CASE WHEN e.currency = 'USD' THEN 1.0 ELSE r.rate END, 2)
FROM events AS e
ASOF LEFT JOIN fx_rates AS r
    ON e.currency = r.currency AND CAST(e.occurred_at AS DATE) >= r.valid_from
WHERE e.occurred_at < $cutoff OR e.event_type = 'card_expiring'
