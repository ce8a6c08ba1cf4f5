-- Fast path (no plan filter; account attributes only at account level): months before
-- $cur_month come from the precomputed mrr_unit_events (stored in month order, so one month
-- is cheap to read); only $cur_month is classified live, from last month's precomputed end
-- and the live snapshot at $as_of. /*unit_filter*/ becomes a filter on unit_selection when
-- account filters are set.
live AS (
    SELECT unit_id, mrr
    FROM (
        SELECT
            CASE WHEN $parent_level THEN coalesce(r.root_account_id, m.account_id)
                 ELSE m.account_id END AS unit_id,
            round(sum(m.mrr), 6) AS mrr
        FROM subscription_mrr m
        LEFT JOIN account_rollup r ON r.account_id = m.account_id
        GROUP BY 1
    )
    WHERE mrr > 0 /*unit_filter*/
),
prev AS (
    SELECT unit_id, mrr_end, cohort_month
    FROM mrr_unit_events
    WHERE month = $prev_month AND mrr_end > 0 /*unit_filter*/
),
starters AS (
    SELECT unit_id FROM live WHERE unit_id NOT IN (SELECT unit_id FROM prev)
),
returning_units AS (
    SELECT unit_id, min(month) AS cohort_month, max(month) AS last_paid_month
    FROM mrr_unit_events
    WHERE month < $cur_month AND mrr_end > 0 AND unit_id IN (SELECT unit_id FROM starters)
    GROUP BY unit_id
),
year_ago AS (
    SELECT *
    FROM mrr_unit_events
    WHERE month = $year_ago_month /*unit_filter*/
),
unit_rows AS (
    SELECT
        coalesce(l.unit_id, p.unit_id) AS unit_id,
        CAST($cur_month AS DATE) AS month,
        coalesce(p.cohort_month, r.cohort_month, CAST($cur_month AS DATE)) AS cohort_month,
        coalesce(p.mrr_end, 0) AS mrr_start,
        coalesce(l.mrr, 0) AS mrr_end,
        CASE WHEN p.unit_id IS NOT NULL THEN CAST($prev_month AS DATE)
             ELSE r.last_paid_month END AS last_paid_month
    FROM live l
    FULL OUTER JOIN prev p ON p.unit_id = l.unit_id
    LEFT JOIN returning_units r ON r.unit_id = l.unit_id
),
