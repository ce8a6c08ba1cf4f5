-- account_mrr_history: narrows the shared pricing SQL (subscription_mrr.sql reads
-- `subscriptions`) to one account; continued by live_snaps.sql. Parameters: $account_id.
WITH subscriptions AS (
    SELECT * FROM main.subscriptions WHERE account_id = $account_id
),
