"""Scenario and forecast reports: ``report scenario`` (no database) and ``report forecast``."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from commands import ReportCommand, ReportInputError
from metrics.forecast import mrr_forecast
from metrics.scenarios import ScenarioInputs, rounded_for_report, scenario_summary, simulate


def _scenario_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customers", type=float, default=1000, help="starting customers")
    parser.add_argument("--arpa", type=float, default=100, help="average MRR per customer")
    parser.add_argument("--growth", type=float, default=0.5,
                        help="annual gross acquisition, new customers / base (0.5 = 50 %%)")
    parser.add_argument("--churn", type=float, action="append",
                        help="annual churn rate; repeat to compare (default 0.1 and 0.3)")
    parser.add_argument("--expansion", type=float, default=0.0, help="annual ARPA growth")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--margin", type=float, default=0.8, help="gross margin")
    parser.add_argument("--discount-rate", dest="discount_rate", type=float, default=0.1)
    parser.add_argument("--target", type=float, default=0.5,
                        help="growth target for the required-acquisition column")
    parser.add_argument("--convention", default="annual-additive",
                        choices=("annual-additive", "annual-multiplicative", "monthly"))


def _scenario(con, args, as_of, filters):
    try:
        inputs = ScenarioInputs(
            starting_customers=args.customers, arpa=args.arpa, acquisition_rate=args.growth,
            churn_rates=tuple(args.churn or (0.1, 0.3)), expansion_rate=args.expansion,
            years=args.years, gross_margin=args.margin, discount_rate=args.discount_rate,
            convention=args.convention,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ReportInputError(f"Invalid scenario: {problems}") from exc
    summary = scenario_summary(inputs, growth_target=args.target)
    summary.insert(0, "convention", inputs.convention)
    return {"summary": rounded_for_report(summary), "path": rounded_for_report(simulate(inputs))}


def _forecast(con, args, as_of, filters):
    result = mrr_forecast(con, as_of=as_of, filters=filters)
    forecast = result.forecast.copy()
    if not forecast.empty:
        forecast["month"] = [m.strftime("%Y-%m") for m in forecast["month"]]
    backtest = result.backtest.copy()
    for column in ("origin", "month"):
        if not backtest.empty:
            backtest[column] = [m.strftime("%Y-%m") for m in backtest[column]]
    return {"forecast": forecast.round(2), "rates": result.rates.round(6),
            "backtest": backtest.round(6)}


COMMANDS = (
    ReportCommand("scenario", "Churn scenarios: customers, MRR, revenue and losses by churn rate",
                  _scenario, _scenario_arguments, needs_db=False),
    ReportCommand("forecast", "MRR forecast 12 months ahead with bands and backtest",
                  _forecast),
)
