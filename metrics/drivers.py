"""Churn drivers: which signals, a lead time before a decision, go with renewal or churn.

docs/insights.md states every rule; in short:

- Per signal (:func:`signal_rates`): decisions are split into groups (yes / no for a flag; each
  value for a category or a number with at most six values; quartiles otherwise; "no data"
  when the signal is missing). For each group: its renewal rate against the rate of every
  other decision, the difference with Newcombe's 95 % interval (:mod:`metrics.stats`), and the
  lift = churn rate in the group / churn rate of all decisions. Groups are ranked by the
  evidence of a difference: how far their interval stays from 0 (the interval's bound nearer
  to 0, or 0 when the interval holds 0), then by the size of the difference. A small group
  with a large but uncertain difference so ranks below a large group with a sure one; groups
  of fewer than ten decisions come last whatever their interval.
- The model (:func:`driver_model`): a logistic regression of churn (1 = the account left) on
  every signal with data for at least 10 % of the decisions, L2-regularised (C = 1), from
  scikit-learn. Numbers are median-imputed with a "no data" indicator, categories one-hot
  encoded (values seen fewer than five times pooled), then every column standardised, so each
  coefficient is the change in log-odds of churn per standard deviation. Fitted on a stratified
  70 % of the decisions (fixed seed) and judged on the other 30 %: ROC AUC, Brier score and a
  calibration table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from metrics.decisions import renewal_decisions
from metrics.driver_signals import DecisionSignals, Signal, decision_signals
from metrics.health_settings import HealthSettings
from metrics.renewal_settings import RenewalSettings
from metrics.stats import brier_score, calibration_table, difference_interval, roc_auc

NO_DATA = "no data"
MIN_COVERAGE = 0.10
"""A signal enters the model when at least this share of the decisions has it."""
MIN_CATEGORY_COUNT = 5
MIN_GROUP = 10
"""Signal groups smaller than this are listed after the others."""
TEST_SHARE = 0.30
SEED = 0
MIN_PER_OUTCOME = 10
"""The model needs this many renewals and this many churns (else it is not fitted)."""

RATE_COLUMNS: tuple[str, ...] = (
    "signal", "label", "group", "decisions", "coverage", "renewed", "renewal_rate",
    "renewal_rate_rest", "difference", "ci_low", "ci_high", "churn_rate", "lift",
)


def signal_groups(values: pd.Series, kind: str) -> pd.Series:
    """The group label of each decision for one signal (see the module docstring)."""
    missing = values.isna()
    if kind == "boolean":
        labels = values.map({True: "yes", False: "no"})
    elif kind == "category":
        labels = values.astype(object).where(~missing).map(str, na_action="ignore")
    else:
        numbers = values.astype(float)
        distinct = numbers.dropna().unique()
        if len(distinct) <= 6:
            labels = numbers.map(_number_label, na_action="ignore")
        else:
            labels = _quartile_labels(numbers)
    return labels.astype(object).where(~missing, NO_DATA)


def _number_label(value: float) -> str:
    return f"{value:g}"


def _quartile_labels(numbers: pd.Series) -> pd.Series:
    """Quartile ranges such as '12 to 30' (edges rounded for reading; bins use exact edges)."""
    present = numbers.dropna()
    edges = np.unique(np.quantile(present, [0, 0.25, 0.5, 0.75, 1.0]))
    if len(edges) < 2:
        return numbers.map(_number_label, na_action="ignore")
    bins = pd.cut(numbers, bins=edges, include_lowest=True, duplicates="drop")
    names = {
        interval: f"{_short(interval.left if i else edges[0])} to {_short(interval.right)}"
        for i, interval in enumerate(bins.cat.categories)
    }
    return bins.map(names).astype(object)


def _short(value: float) -> str:
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2g}" if abs(value) < 1 else f"{value:,.1f}"


def signal_rates(frame: pd.DataFrame, signals: tuple[Signal, ...]) -> pd.DataFrame:
    """Renewal rate with and without each signal group.

    Returns:
        One row per signal and group, columns :data:`RATE_COLUMNS`: signal (column name),
        label, group, decisions (in the group), coverage (decisions / all), renewed (count),
        renewal_rate, renewal_rate_rest (every other decision), difference (the two rates,
        group − rest), ci_low / ci_high (95 % interval of the difference), churn_rate,
        lift (churn_rate / the churn rate of all decisions; NaN when nobody churned).
        Ordered: groups of at least :data:`MIN_GROUP` decisions first, then by evidence (the
        interval's distance from 0) descending, |difference| descending, signal, group.
    """
    total = len(frame)
    if total == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RATE_COLUMNS})
    renewed = frame["renewed"].astype(bool).to_numpy()
    all_renewed = int(renewed.sum())
    overall_churn = 1 - all_renewed / total
    rows = []
    for signal in signals:
        if signal.column not in frame or frame[signal.column].isna().all():
            continue
        groups = signal_groups(frame[signal.column], signal.kind)
        if groups.nunique() < 2:
            continue
        for group, members in groups.groupby(groups, sort=True):
            inside = groups.index.isin(members.index)
            n = int(inside.sum())
            won = int(renewed[inside].sum())
            rest_n, rest_won = total - n, all_renewed - won
            low, high = difference_interval(won, n, rest_won, rest_n)
            rate = won / n
            rest_rate = rest_won / rest_n if rest_n else math.nan
            churn = 1 - rate
            rows.append({
                "signal": signal.column, "label": signal.label, "group": str(group),
                "decisions": n, "coverage": n / total, "renewed": won,
                "renewal_rate": rate, "renewal_rate_rest": rest_rate,
                "difference": rate - rest_rate, "ci_low": low, "ci_high": high,
                "churn_rate": churn,
                "lift": churn / overall_churn if overall_churn > 0 else math.nan,
            })
    rates = pd.DataFrame(rows, columns=list(RATE_COLUMNS))
    if rates.empty:
        return rates
    evidence = np.maximum(np.maximum(rates["ci_low"], -rates["ci_high"]).fillna(0), 0)
    rates = rates.assign(_small=rates["decisions"] < MIN_GROUP, _evidence=-evidence,
                         _size=-rates["difference"].abs())
    rates = rates.sort_values(["_small", "_evidence", "_size", "signal", "group"],
                              ignore_index=True)
    return rates.drop(columns=["_small", "_evidence", "_size"])


@dataclass(frozen=True)
class DriverModel:
    """The fitted model's held-out quality and its standardised coefficients."""

    coefficients: pd.DataFrame
    """Columns: feature (label for people), signal (column), coefficient (log-odds of churn per
    standard deviation), odds_ratio (exp(coefficient)), effect ('raises churn risk' |
    'lowers churn risk'). Ordered by |coefficient| descending, feature."""
    auc: float
    """ROC AUC on the held-out decisions (churn as the positive class)."""
    brier: float
    calibration: pd.DataFrame
    """:func:`metrics.stats.calibration_table` of the held-out churn probabilities."""
    train_decisions: int
    test_decisions: int


def _design(
    frame: pd.DataFrame, signals: tuple[Signal, ...]
) -> tuple[pd.DataFrame, list[str], list[str], dict[str, Signal]]:
    """The model's input columns: numeric (numbers and flags as 0/1) and category names."""
    numeric: list[str] = []
    categories: list[str] = []
    chosen: dict[str, Signal] = {}
    data = {}
    for signal in signals:
        if signal.column not in frame:
            continue
        values = frame[signal.column]
        if values.notna().mean() < MIN_COVERAGE:
            continue
        if signal.kind == "category":
            if values.dropna().nunique() < 2:
                continue
            data[signal.column] = values.astype(object).where(values.notna(), NO_DATA).map(str)
            categories.append(signal.column)
        else:
            numbers = pd.to_numeric(values.astype(object), errors="coerce").astype(float)
            if numbers.dropna().nunique() < 2:
                continue
            data[signal.column] = numbers
            numeric.append(signal.column)
        chosen[signal.column] = signal
    return pd.DataFrame(data, index=frame.index), numeric, categories, chosen


def driver_model(frame: pd.DataFrame, signals: tuple[Signal, ...]) -> DriverModel | str:
    """Fit the churn model; a sentence saying why not when the data is too thin."""
    churned = ~frame["renewed"].astype(bool)
    churns, renewals = int(churned.sum()), int((~churned).sum())
    if churns < MIN_PER_OUTCOME or renewals < MIN_PER_OUTCOME:
        return (f"The model needs at least {MIN_PER_OUTCOME} renewals and {MIN_PER_OUTCOME} "
                f"churns; these decisions have {renewals:,} and {churns:,}.")
    x, numeric, categories, chosen = _design(frame, signals)
    if not numeric and not categories:
        return "No signal has data for at least 10 % of the decisions."
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    prepare = ColumnTransformer([
        ("num", SimpleImputer(strategy="median", add_indicator=True,
                              keep_empty_features=True), numeric),
        ("cat", OneHotEncoder(handle_unknown="infrequent_if_exist",
                              min_frequency=MIN_CATEGORY_COUNT, sparse_output=False), categories),
    ], verbose_feature_names_out=False)
    model = Pipeline([
        ("prepare", prepare),
        ("scale", StandardScaler()),
        ("fit", LogisticRegression(C=1.0, max_iter=5000)),
    ])
    y = churned.to_numpy(dtype=int)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_SHARE, stratify=y, random_state=SEED
    )
    model.fit(x_train, y_train)
    churn_probability = model.predict_proba(x_test)[:, 1]
    names = model.named_steps["prepare"].get_feature_names_out()
    coefficients = model.named_steps["fit"].coef_[0]
    table = pd.DataFrame({
        "feature": [_feature_label(n, numeric, categories, chosen) for n in names],
        "signal": [_feature_signal(n, numeric, categories) for n in names],
        "coefficient": coefficients,
    })
    table["odds_ratio"] = np.exp(table["coefficient"])
    table["effect"] = np.where(table["coefficient"] > 0, "raises churn risk", "lowers churn risk")
    table = table.loc[table["coefficient"] != 0]
    table = table.assign(_size=-table["coefficient"].abs()).sort_values(
        ["_size", "feature"], ignore_index=True).drop(columns="_size")
    return DriverModel(
        coefficients=table,
        auc=roc_auc(y_test.astype(bool), churn_probability),
        brier=brier_score(churn_probability, y_test.astype(bool)),
        calibration=calibration_table(churn_probability, y_test.astype(bool)),
        train_decisions=len(y_train),
        test_decisions=len(y_test),
    )


def _feature_signal(name: str, numeric: list[str], categories: list[str]) -> str:
    if name in numeric:
        return name
    if name.startswith("missingindicator_"):
        return name.removeprefix("missingindicator_")
    return max((c for c in categories if name.startswith(c + "_")), key=len, default=name)


def _feature_label(
    name: str, numeric: list[str], categories: list[str], chosen: dict[str, Signal]
) -> str:
    """'Latest NPS (0-10)', 'Latest NPS (0-10): no data', 'Plan = Pro', 'Plan = other'."""
    column = _feature_signal(name, numeric, categories)
    label = chosen[column].label if column in chosen else column
    if name in numeric:
        return label
    if name.startswith("missingindicator_"):
        return f"{label}: {NO_DATA}"
    value = name[len(column) + 1:]
    return f"{label} = {'other' if value == 'infrequent_sklearn' else value}"


@dataclass(frozen=True)
class ChurnDrivers:
    """Everything the Churn drivers page and ``report drivers`` show."""

    as_of: date
    lead_days: int
    window_days: int
    decisions: int
    """Decisions with signals (analysed)."""
    renewal_rate: float
    excluded: int
    before_history: int
    rates: pd.DataFrame
    model: DriverModel | None
    model_note: str = ""
    kinds: dict[str, int] = field(default_factory=dict)
    """Analysed decisions per kind (contract renewal, churn, retained)."""

    def summary(self) -> pd.DataFrame:
        """One row: the figures above and the model's AUC and Brier score."""
        return pd.DataFrame([{
            "as_of": self.as_of.isoformat(), "lead_days": self.lead_days,
            "window_days": self.window_days,
            "decisions": self.decisions, "renewal_rate": self.renewal_rate,
            "contract_renewals": self.kinds.get("contract renewal", 0),
            "churns": self.kinds.get("churn", 0), "retained": self.kinds.get("retained", 0),
            "excluded_not_in_force": self.excluded,
            "excluded_before_usage_history": self.before_history,
            "model_auc": self.model.auc if self.model else math.nan,
            "model_brier": self.model.brier if self.model else math.nan,
            "model_test_decisions": self.model.test_decisions if self.model else 0,
            "model_note": self.model_note,
        }])


def drivers_from_signals(
    signals: DecisionSignals, *, as_of: date, lead_days: int, window_days: int
) -> ChurnDrivers:
    """Per-signal rates and the model for decisions that already carry their signals."""
    frame = signals.frame
    fitted = driver_model(frame, signals.signals) if len(frame) else "No decisions to learn from."
    model = fitted if isinstance(fitted, DriverModel) else None
    return ChurnDrivers(
        as_of=as_of, lead_days=lead_days, window_days=window_days, decisions=len(frame),
        renewal_rate=float(frame["renewed"].mean()) if len(frame) else math.nan,
        excluded=signals.excluded, before_history=signals.before_history,
        rates=signal_rates(frame, signals.signals), model=model,
        model_note="" if model else str(fitted),
        kinds={str(k): int(v) for k, v in frame["kind"].value_counts().items()} if len(frame)
        else {},
    )


def churn_drivers(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    lead_days: int = 90,
    window_days: int = 365,
    health_settings: HealthSettings | None = None,
    renewal_settings: RenewalSettings | None = None,
) -> ChurnDrivers:
    """Churn drivers of the decisions in the ``window_days`` up to ``as_of``, read
    ``lead_days`` before each (:mod:`metrics.decisions`, :mod:`metrics.driver_signals`)."""
    decisions = renewal_decisions(
        con, as_of=as_of, window_days=window_days, settings=renewal_settings
    )
    signals = decision_signals(
        con, decisions=decisions, lead_days=lead_days, settings=health_settings
    )
    return drivers_from_signals(signals, as_of=as_of, lead_days=lead_days,
                                window_days=window_days)
