"""Benchmark section for ``benchmarks/bench.py``: health scorecard, moments feed, Account 360.

Target (issue "Health scorecards, Account 360 and the revenue-moments feed"): scorecard and
feed data at 100,000 accounts in <= 1 s cold, i.e. in a new process with the database opened
from disk (the pattern of ``bench.COLD_EXECUTIVE``). Measured (best of ``runs``; ``*_cpu_*`` =
user + system CPU seconds of that run):

- health_scorecard_cold_seconds: ``health_scores`` + ``band_counts`` (the scorecard table
  and the portfolio counts) on the data's as-of date, whose inputs refresh_derived stores;
- health_scorecard_day_before_cold_seconds: the same one day earlier, where nothing stored
  fits and every input is computed live (the baseline of the ratio after it; no target);
- moments_feed_cold_seconds: ``revenue_moments`` (the feed);
- health_trend_cold_seconds: ``health_history(months=2)`` (trend arrows and band migration;
  reported, no target);
- account360_cold_seconds: the five Account 360 functions for the demo's lifecycle account
  (reported, no target).

Measured on the 100,000-account demo (load average 1.4–1.9 on two shared cores): scorecard
0.50 s (CPU 0.56 s; 0.95 s the day before), feed 0.68 s, trend 0.40 s, Account 360 0.36 s;
docs/health.md (Speed) keeps the table and what changed.

Run through ``python benchmarks/bench.py --only health``; ``measure`` is its section interface.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from benchmarks.bench import best_of

TARGET_SECONDS = 1.0

COLD_SCORECARD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from datetime import date
from metrics.health import band_counts, health_scores
from store.db import open_database
t0, c0 = time.perf_counter(), cpu()
con = open_database({db!r})
scores = health_scores(con, as_of=date.fromisoformat({as_of!r}))
bands = band_counts(scores)
elapsed = time.perf_counter() - t0
print(json.dumps({{"seconds": elapsed, "cpu": cpu() - c0, "rows": len(scores)}}))
"""

COLD_FEED = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from datetime import date
from metrics.moments import revenue_moments
from store.db import open_database
t0, c0 = time.perf_counter(), cpu()
con = open_database({db!r})
moments = revenue_moments(con, as_of=date.fromisoformat({as_of!r}))
elapsed = time.perf_counter() - t0
print(json.dumps({{"seconds": elapsed, "cpu": cpu() - c0, "rows": len(moments)}}))
"""

COLD_TREND = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from datetime import date
from metrics.health import health_history
from store.db import open_database
t0, c0 = time.perf_counter(), cpu()
con = open_database({db!r})
history = health_history(con, as_of=date.fromisoformat({as_of!r}), months=2)
elapsed = time.perf_counter() - t0
print(json.dumps({{"seconds": elapsed, "cpu": cpu() - c0, "rows": len(history)}}))
"""

COLD_ACCOUNT = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from datetime import date
from metrics import account360 as a
from store.db import open_database
as_of = date.fromisoformat({as_of!r})
t0, c0 = time.perf_counter(), cpu()
con = open_database({db!r})
kw = dict(account_id="acct_lifecycle", as_of=as_of)
parts = [a.account_header(con, **kw), a.account_timeline(con, **kw),
         a.account_mrr_history(con, **kw), a.account_usage(con, **kw),
         a.account_health_breakdown(con, **kw)]
elapsed = time.perf_counter() - t0
print(json.dumps({{"seconds": elapsed, "cpu": cpu() - c0, "rows": len(parts[1])}}))
"""


def measure(db_path: Path, as_of: date, *, runs: int) -> tuple[dict[str, float], dict[str, bool]]:
    """Best-of-``runs`` cold timings (seconds; CPU seconds of that run) and targets met."""
    fields = {"db": str(db_path), "as_of": as_of.isoformat()}
    other = {"db": str(db_path), "as_of": (as_of - timedelta(days=1)).isoformat()}
    scorecard = best_of(runs, COLD_SCORECARD, **fields)
    scorecard_live = best_of(runs, COLD_SCORECARD, **other)
    feed = best_of(runs, COLD_FEED, **fields)
    trend = best_of(runs, COLD_TREND, **fields)
    account = best_of(runs, COLD_ACCOUNT, **fields)
    timings = {
        "health_scorecard_cold_seconds": round(scorecard["seconds"], 3),
        "health_scorecard_cpu_seconds": round(scorecard["cpu"], 3),
        "health_scored_accounts": scorecard["rows"],
        "health_scorecard_day_before_cold_seconds": round(scorecard_live["seconds"], 3),
        "ratio_scorecard_day_before_vs_as_of": round(
            scorecard_live["seconds"] / scorecard["seconds"], 2
        ),
        "moments_feed_cold_seconds": round(feed["seconds"], 3),
        "moments_feed_cpu_seconds": round(feed["cpu"], 3),
        "moments_found": feed["rows"],
        "health_trend_cold_seconds": round(trend["seconds"], 3),
        "health_trend_cpu_seconds": round(trend["cpu"], 3),
        "account360_cold_seconds": round(account["seconds"], 3),
    }
    targets = {
        f"health_scorecard_cold_seconds <= {TARGET_SECONDS}":
            scorecard["seconds"] <= TARGET_SECONDS,
        f"moments_feed_cold_seconds <= {TARGET_SECONDS}": feed["seconds"] <= TARGET_SECONDS,
    }
    return timings, targets
