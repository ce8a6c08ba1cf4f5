-- converted: in_force rows in the reporting currency (METRICS.md, MRR: the rate in force on the
-- first day of the billing period, period_start; before the first known rate, the first rate).
-- in_force carries currency, mrr_native and period_start plus its own key columns, kept as is.
first_rates AS (
    SELECT currency, arg_min(rate, valid_from) AS first_rate FROM fx_rates GROUP BY currency
),
converted AS (
    SELECT
        f.* EXCLUDE (currency, mrr_native, period_start),
        f.mrr_native * CASE
            WHEN f.currency = $reporting_currency THEN 1.0
            ELSE coalesce(r.rate, fr.first_rate)
        END AS mrr
    FROM in_force f
    ASOF LEFT JOIN fx_rates r
      ON f.currency = r.currency AND f.period_start >= r.valid_from
    LEFT JOIN first_rates fr ON fr.currency = f.currency
)
