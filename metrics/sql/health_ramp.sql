-- The piecewise-linear sub-score of docs/health.md: 0 at `bad` or worse, 100 at `good` or
-- better, linear between (good may be below bad); NULL input = no data = NULL.
-- (greatest/least skip NULLs in DuckDB, hence the explicit CASE.)
CREATE OR REPLACE TEMP MACRO health_ramp(x, bad, good) AS
    CASE WHEN x IS NULL THEN NULL
         ELSE 100.0 * greatest(0.0, least(1.0, (CAST(x AS DOUBLE) - bad) / (good - bad)))
    END
