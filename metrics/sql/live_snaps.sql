-- Snapshot dates computed live: $live_months (first days) measured on $live_snaps.
snaps AS (
    SELECT CAST(unnest($live_months) AS DATE) AS month, CAST(unnest($live_snaps) AS DATE) AS snap
)
