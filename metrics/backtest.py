"""Health back-test: did the health score, a lead time before each decision, predict it?

docs/insights.md states the rules; in short, over the decisions of :mod:`metrics.decisions`
with the health score of their signal date (:mod:`metrics.driver_signals`):

- AUC: the probability that a renewal's score was above a churn's (ties ½,
  :func:`metrics.stats.roc_auc`); 0.5 is a coin toss, 1.0 a perfect separation.
- Renewal rate by band (the current band thresholds) with Wilson 95 % intervals, and by
  10-point score bins (the calibration plot: a useful score rises from left to right).
- Suggested weights: a logistic regression of renewal on the component scores that have data
  for at least 10 % of the decisions (median-imputed, standardised, L2 with C = 1; fitted on a
  stratified 70 %). The overall score is a weighted mean of component scores, so weights in
  proportion to the positive raw-scale coefficients (coefficient per standard deviation /
  standard deviation) rank accounts like the model's linear part; a component whose
  coefficient is 0 or below gets weight 0. The model imputes a missing component while the
  score leaves it out, so these weights are then refined on the same 70 % by a coordinate
  search that maximises the AUC of the score as it is really computed (each learned weight in
  turn multiplied by 0, ½, 1½ or 2 while that helps, three passes, starting from both the
  model's weights and the current ones). The search runs on two thirds of the 70 % and the
  current weights, the model's and the two searched sets compete on its last third, so a
  search that only fits noise loses (the current weights win ties: then there is nothing to
  suggest). They share the current total weight of the components learned from; components
  without enough data keep their current weight. Current and
  suggested weights are compared by AUC on the held-out 30 %. Applying them is the user's
  choice (the Health back-test page asks first; nothing changes on its own).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from pydantic import ValidationError

from metrics.decisions import renewal_decisions
from metrics.driver_signals import DecisionSignals, decision_signals
from metrics.drivers import MIN_COVERAGE, MIN_PER_OUTCOME, SEED, TEST_SHARE
from metrics.health import health_band
from metrics.health_settings import COMPONENTS, HealthSettings, HealthWeights
from metrics.renewal_settings import RenewalSettings
from metrics.stats import roc_auc, wilson_interval
from store.settings import load_settings

BAND_ORDER: tuple[str, ...] = ("red", "yellow", "green", "no data")


@dataclass(frozen=True)
class HealthBacktest:
    """Everything the Health back-test page and ``report backtest`` show."""

    as_of: date
    lead_days: int
    window_days: int
    decisions: int
    """Decisions analysed (with signals)."""
    scored: int
    """Of those, decisions with a health score on their signal date."""
    renewal_rate: float
    auc: float
    """AUC of the score for renewal over every scored decision."""
    bands: pd.DataFrame
    """Columns: band (red, yellow, green, no data), decisions, renewed, renewal_rate, ci_low,
    ci_high (Wilson 95 %). Bands without decisions are left out."""
    calibration: pd.DataFrame
    """Columns: score_low, score_high (10-point bins), decisions, mean_score, renewal_rate."""
    weights: pd.DataFrame
    """Columns: component, current, suggested (NaN when no suggestion), coverage (share of
    decisions with data for it), learned (bool: the suggestion comes from the data)."""
    current_auc_test: float
    suggested_auc_test: float
    test_decisions: int
    note: str
    """Why there is no suggestion, or ''."""

    def suggested_weights(self) -> HealthWeights | None:
        """The suggested weights as a settings model (None when there is no suggestion)."""
        if self.weights["suggested"].isna().any():
            return None
        if (self.weights["suggested"] == self.weights["current"]).all():
            return None  # the current weights did best: nothing to apply
        try:
            return HealthWeights(**dict(zip(self.weights["component"],
                                            self.weights["suggested"].astype(float),
                                            strict=True)))
        except ValidationError:
            return None

    def summary(self) -> pd.DataFrame:
        """One row: counts, AUC over all decisions, held-out AUC of current and suggested."""
        return pd.DataFrame([{
            "as_of": self.as_of.isoformat(), "lead_days": self.lead_days,
            "window_days": self.window_days,
            "decisions": self.decisions, "scored": self.scored,
            "renewal_rate": self.renewal_rate, "auc": self.auc,
            "current_auc_test": self.current_auc_test,
            "suggested_auc_test": self.suggested_auc_test,
            "test_decisions": self.test_decisions, "note": self.note,
        }])


def rates_by_band(frame: pd.DataFrame, settings: HealthSettings) -> pd.DataFrame:
    """Renewal rate per band of the signal-date score (the ``bands`` table)."""
    bands = health_band(frame["health_score"], settings).fillna("no data")
    rows = []
    for band in BAND_ORDER:
        inside = (bands == band).to_numpy()
        n = int(inside.sum())
        if n == 0:
            continue
        won = int(frame["renewed"].to_numpy(dtype=bool)[inside].sum())
        low, high = wilson_interval(won, n)
        rows.append({"band": band, "decisions": n, "renewed": won, "renewal_rate": won / n,
                     "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=["band", "decisions", "renewed", "renewal_rate",
                                       "ci_low", "ci_high"])


def score_calibration(frame: pd.DataFrame) -> pd.DataFrame:
    """Renewal rate per 10-point score bin (100 falls in the 90–100 bin)."""
    scored = frame.loc[frame["health_score"].notna()]
    if scored.empty:
        return pd.DataFrame(columns=["score_low", "score_high", "decisions", "mean_score",
                                     "renewal_rate"])
    score = scored["health_score"].astype(float).clip(0, 100)
    low = (np.minimum(score // 10, 9) * 10).astype(int)
    table = pd.DataFrame({"score_low": low, "score": score,
                          "renewed": scored["renewed"].astype(float)})
    table = table.groupby("score_low", sort=True).agg(
        decisions=("score", "size"), mean_score=("score", "mean"),
        renewal_rate=("renewed", "mean")).reset_index()
    table.insert(1, "score_high", table["score_low"] + 10)
    return table


def weighted_scores(components: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Σ wᵢ·sᵢ / Σ wᵢ over the components with data, per row (METRICS.md, Health; the rule of
    :func:`metrics.health_score.weighted_score`, vectorised). NaN when that weight sum is 0."""
    total = pd.Series(0.0, index=components.index)
    weight_sum = pd.Series(0.0, index=components.index)
    for name, weight in weights.items():
        scores = components[f"{name}_score"].astype(float)
        present = scores.notna()
        total += np.where(present, weight * scores.fillna(0), 0.0)
        weight_sum += np.where(present, weight, 0.0)
    return (total / weight_sum.where(weight_sum > 0)).astype(float)


def suggest_weights(
    frame: pd.DataFrame, current: HealthWeights
) -> tuple[pd.DataFrame, float, float, int, str]:
    """Suggested weights (see the module docstring) and the held-out AUCs.

    Returns (weights table, current AUC on the test part, suggested AUC on it, test size, note).
    """
    current_weights = current.as_dict()
    coverage = {name: float(frame[f"{name}_score"].notna().mean()) if len(frame) else 0.0
                for name in COMPONENTS}
    learnable = [name for name in COMPONENTS if coverage[name] >= MIN_COVERAGE
                 and frame[f"{name}_score"].dropna().nunique() > 1]
    table = pd.DataFrame({
        "component": list(COMPONENTS),
        "current": [current_weights[n] for n in COMPONENTS],
        "suggested": math.nan,
        "coverage": [coverage[n] for n in COMPONENTS],
        "learned": [n in learnable for n in COMPONENTS],
    })
    renewed = frame["renewed"].astype(bool).to_numpy()
    if min(renewed.sum(), (~renewed).sum()) < MIN_PER_OUTCOME:
        return (table, math.nan, math.nan, 0,
                f"Suggesting weights needs at least {MIN_PER_OUTCOME} renewals and "
                f"{MIN_PER_OUTCOME} churns.")
    if not learnable:
        return table, math.nan, math.nan, 0, "No component has data for 10 % of the decisions."
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    index = np.arange(len(frame))
    train, test = train_test_split(index, test_size=TEST_SHARE, stratify=renewed,
                                   random_state=SEED)
    x = frame[[f"{n}_score" for n in learnable]].astype(float).to_numpy()
    imputer = SimpleImputer(strategy="median", keep_empty_features=True).fit(x[train])
    scaler = StandardScaler().fit(imputer.transform(x[train]))
    fit = LogisticRegression(C=1.0, max_iter=5000).fit(
        scaler.transform(imputer.transform(x[train])), renewed[train].astype(int))
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    raw = np.maximum(fit.coef_[0] / scale, 0.0)
    test_rows = frame.iloc[test]
    current_auc = roc_auc(renewed[test], test_rows["health_score"].astype(float))
    if raw.sum() <= 0:
        return (table, current_auc, math.nan, len(test),
                "No component score went with renewal in these decisions.")
    share = sum(current_weights[n] for n in learnable)
    from_model = dict(current_weights)
    for name, value in zip(learnable, raw, strict=True):
        from_model[name] = share * value / raw.sum()
    # Candidates are searched on two thirds of the training part and chosen on its last third,
    # so a search that only fits noise loses to the model's weights or the current ones.
    fit_part, check_part = train_test_split(train, test_size=1 / 3,
                                            stratify=renewed[train], random_state=SEED)
    fit_rows, check_rows = frame.iloc[fit_part], frame.iloc[check_part]
    candidates = [dict(current_weights), from_model] + [
        _refine(fit_rows, renewed[fit_part], start, learnable)[0]
        for start in (from_model, dict(current_weights))
    ]
    suggested = max(  # first best wins: the current weights when nothing beats them
        candidates,
        key=lambda weights: _auc_or_zero(renewed[check_part],
                                         weighted_scores(check_rows, weights)),
    )
    total = sum(suggested[n] for n in learnable)
    suggested = {n: round(share * w / total, 1) if n in learnable else w
                 for n, w in suggested.items()}
    table["suggested"] = [suggested[n] for n in COMPONENTS]
    suggested_auc = roc_auc(renewed[test], weighted_scores(test_rows, suggested))
    return table, current_auc, suggested_auc, len(test), ""


SEARCH_FACTORS: tuple[float, ...] = (0.0, 0.5, 1.5, 2.0)
SEARCH_PASSES = 3


def _refine(
    rows: pd.DataFrame, renewed: np.ndarray, start: dict[str, float], learnable: list[str]
) -> tuple[dict[str, float], float]:
    """Coordinate search for the weights with the best AUC on ``rows`` (see the docstring)."""
    best = dict(start)
    best_auc = _auc_or_zero(renewed, weighted_scores(rows, best))
    for _ in range(SEARCH_PASSES):
        improved = False
        for name in learnable:
            for factor in SEARCH_FACTORS:
                trial = {**best, name: best[name] * factor if best[name] > 0 else factor}
                if sum(trial[n] for n in learnable) <= 0:
                    continue
                auc = _auc_or_zero(renewed, weighted_scores(rows, trial))
                if auc > best_auc + 1e-9:
                    best, best_auc, improved = trial, auc, True
        if not improved:
            break
    return best, best_auc


def _auc_or_zero(renewed: np.ndarray, scores: pd.Series) -> float:
    auc = roc_auc(renewed, scores.to_numpy())
    return 0.0 if math.isnan(auc) else auc


def backtest_from_signals(
    signals: DecisionSignals,
    *,
    settings: HealthSettings,
    as_of: date,
    lead_days: int,
    window_days: int,
) -> HealthBacktest:
    """The back-test of decisions that already carry their signal-date health scores."""
    frame = signals.frame
    if frame.empty:
        empty = pd.DataFrame()
        weights = pd.DataFrame({"component": list(COMPONENTS),
                                "current": list(settings.weights.as_dict().values()),
                                "suggested": math.nan, "coverage": 0.0, "learned": False})
        return HealthBacktest(as_of, lead_days, window_days, 0, 0, math.nan, math.nan, empty,
                              empty, weights, math.nan, math.nan, 0,
                              "No decisions to learn from.")
    weights, current_auc, suggested_auc, tested, note = suggest_weights(frame, settings.weights)
    scored = frame["health_score"].notna()
    return HealthBacktest(
        as_of=as_of, lead_days=lead_days, window_days=window_days,
        decisions=len(frame), scored=int(scored.sum()),
        renewal_rate=float(frame["renewed"].mean()),
        auc=roc_auc(frame["renewed"].astype(bool), frame["health_score"].astype(float)),
        bands=rates_by_band(frame, settings), calibration=score_calibration(frame),
        weights=weights, current_auc_test=current_auc, suggested_auc_test=suggested_auc,
        test_decisions=tested, note=note,
    )


def health_backtest(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    lead_days: int = 90,
    window_days: int = 365,
    health_settings: HealthSettings | None = None,
    renewal_settings: RenewalSettings | None = None,
) -> HealthBacktest:
    """Back-test the health score (``health_settings``, default the stored ones) on the
    decisions of the ``window_days`` up to ``as_of``, scored ``lead_days`` before each."""
    settings = health_settings or load_settings(con, HealthSettings)
    decisions = renewal_decisions(con, as_of=as_of, window_days=window_days,
                                  settings=renewal_settings)
    signals = decision_signals(con, decisions=decisions, lead_days=lead_days, settings=settings)
    return backtest_from_signals(signals, settings=settings, as_of=as_of, lead_days=lead_days,
                                 window_days=window_days)
