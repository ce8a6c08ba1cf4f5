,
all_rows AS (
    SELECT account_id, month, mrr
    FROM mrr_snapshot
    WHERE month >= $snapshot_from AND month <= $snapshot_to
    UNION ALL
    SELECT account_id, month, mrr FROM subscription_mrr
)
SELECT account_id, month, round(sum(mrr), 6) AS mrr
FROM all_rows
WHERE $all_accounts OR list_contains($account_ids, account_id)
GROUP BY account_id, month
