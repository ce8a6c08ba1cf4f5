"""Assemble subscription-pricing SQL from the shared pieces (METRICS.md, MRR).

The MRR rules live once, in ``sql/subscription_terms.sql`` (what counts and its monthly amount),
``sql/billing_period_start.sql`` (the day whose FX rate applies) and ``sql/fx_convert.sql``.
Queries that price subscriptions on different dates (``subscription_mrr.sql`` on shared
snapshot dates, ``renewal_point_mrr.sql`` on each account's own dates) hold only their join and
mark where the pieces go: ``/*subscription_terms*/``, ``/*billing_period_start*/`` and
``/*fx_convert*/``.
"""

from __future__ import annotations

from store.sql import load_sql


def pricing_sql(template: str, *, priced_on: str) -> str:
    """``sql/<template>`` with the shared pieces filled in.

    Args:
        template: file name under ``metrics/sql``.
        priced_on: the (constant) column expression holding the pricing date in the
            template's in_force join, e.g. ``snaps.snap``.
    """
    period_start = load_sql(__file__, "sql/billing_period_start.sql").strip()
    return (
        load_sql(__file__, "sql/" + template)
        .replace("/*subscription_terms*/", load_sql(__file__, "sql/subscription_terms.sql"))
        .replace("/*billing_period_start*/", period_start.replace("__PRICED_ON__", priced_on))
        .replace("/*fx_convert*/", load_sql(__file__, "sql/fx_convert.sql"))
    )
