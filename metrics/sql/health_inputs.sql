-- health_inputs: the raw inputs of every health component, per scored account and date
-- (docs/health.md): those of health_facts.sql plus the seats, read live because they are an
-- account attribute rather than an event.
-- Reads the temp tables health_population and health_facts (the dates computed live) and the
-- precomputed health_fact_snapshot for the dates in $precomputed_snaps.
-- Parameters: $precomputed_snaps DATE[].
CREATE OR REPLACE TEMP TABLE health_inputs AS
WITH facts AS (
    SELECT * FROM health_facts
    UNION ALL
    SELECT * FROM health_fact_snapshot WHERE list_contains($precomputed_snaps, snap)
)
SELECT
    p.account_id,
    p.month,
    p.snap,
    -- usage
    f.active_users_30d,
    CAST(a.seats_purchased AS BIGINT) AS seats_purchased,
    CASE WHEN f.active_users_30d IS NOT NULL AND a.seats_purchased > 0
         THEN 100.0 * f.active_users_30d / a.seats_purchased END
        AS seat_utilisation_pct,
    f.* EXCLUDE (account_id, snap, active_users_30d)
FROM health_population p
JOIN accounts a ON a.account_id = p.account_id
LEFT JOIN facts f ON f.account_id = p.account_id AND f.snap = p.snap
