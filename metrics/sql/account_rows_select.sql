-- Continues account_rows.sql: every row, for the Account 360 header.
SELECT * FROM account_rows ORDER BY start_date, subscription_id
