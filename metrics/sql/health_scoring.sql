-- health_scored: component scores, overall score and missing components per account and date
-- (METRICS.md, Health; docs/health.md). Each input x scores
-- 100 * clamp((x - bad) / (good - bad), 0, 1) with its thresholds $<input>_bad / $<input>_good
-- (HealthSettings); a component is the mean of its inputs that have data (list_avg skips
-- NULLs; none = no data, NULL); the overall score is sum(w * s) / sum(w) over the components
-- with data (the rule of metrics.health_score.weighted_score), NULL when that weight sum is 0.
-- Parameters: the thresholds above and $w_<component> (weights).
CREATE OR REPLACE TEMP TABLE health_scored AS
WITH components AS (
    SELECT
        account_id,
        month,
        list_avg([
            health_ramp(seat_utilisation_pct, $seat_utilisation_pct_bad,
                        $seat_utilisation_pct_good),
            health_ramp(usage_change_pct, $usage_change_pct_bad, $usage_change_pct_good)
        ]) AS usage_score,
        health_ramp(features_used_30d, $features_used_30d_bad, $features_used_30d_good)
            AS adoption_score,
        health_ramp(days_since_activity, $days_since_activity_bad, $days_since_activity_good)
            AS engagement_score,
        list_avg([
            health_ramp(open_high_priority_tickets, $open_high_priority_tickets_bad,
                        $open_high_priority_tickets_good),
            health_ramp(sla_breaches_90d, $sla_breaches_90d_bad, $sla_breaches_90d_good),
            health_ramp(csat_90d, $csat_90d_bad, $csat_90d_good)
        ]) AS support_score,
        health_ramp(latest_nps, $latest_nps_bad, $latest_nps_good) AS sentiment_score,
        list_avg([
            health_ramp(failed_payments_30d, $failed_payments_30d_bad,
                        $failed_payments_30d_good),
            health_ramp(CAST(dunning_active AS INTEGER), $dunning_active_bad,
                        $dunning_active_good),
            health_ramp(CAST(card_expiring_30d AS INTEGER), $card_expiring_30d_bad,
                        $card_expiring_30d_good)
        ]) AS billing_score,
        list_avg([
            health_ramp(mrr_change_pct_3m, $mrr_change_pct_3m_bad, $mrr_change_pct_3m_good),
            health_ramp(contraction_pct_3m, $contraction_pct_3m_bad, $contraction_pct_3m_good)
        ]) AS commercial_score
    FROM health_inputs
)
SELECT
    *,
    list_sum([
        $w_usage * usage_score, $w_adoption * adoption_score,
        $w_engagement * engagement_score, $w_support * support_score,
        $w_sentiment * sentiment_score, $w_billing * billing_score,
        $w_commercial * commercial_score
    ]) / nullif(list_sum([
        CASE WHEN usage_score IS NOT NULL THEN $w_usage END,
        CASE WHEN adoption_score IS NOT NULL THEN $w_adoption END,
        CASE WHEN engagement_score IS NOT NULL THEN $w_engagement END,
        CASE WHEN support_score IS NOT NULL THEN $w_support END,
        CASE WHEN sentiment_score IS NOT NULL THEN $w_sentiment END,
        CASE WHEN billing_score IS NOT NULL THEN $w_billing END,
        CASE WHEN commercial_score IS NOT NULL THEN $w_commercial END
    ]), 0) AS health_score,
    concat_ws(', ',
        CASE WHEN usage_score IS NULL THEN 'usage' END,
        CASE WHEN adoption_score IS NULL THEN 'adoption' END,
        CASE WHEN engagement_score IS NULL THEN 'engagement' END,
        CASE WHEN support_score IS NULL THEN 'support' END,
        CASE WHEN sentiment_score IS NULL THEN 'sentiment' END,
        CASE WHEN billing_score IS NULL THEN 'billing' END,
        CASE WHEN commercial_score IS NULL THEN 'commercial' END
    ) AS missing_components
FROM components
