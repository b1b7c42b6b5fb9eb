"""cur-analysis: analyse an AWS Organization's Cost and Usage Report from a member account.

The notebook API, importable from the package root (loaded on first use, so that importing
``cur_analysis`` needs no Spark)::

    from cur_analysis import (
        BillingPeriod, LocalCatalogReader, GlueCatalogReader, read_cur,
        conform_cur, without_split_cost_rows, MEASURES, amortized_cost, fine_grain,
        daily_cost, account_monthly, service_monthly, tag_monthly, savings_monthly,
        DATASETS, run, RunConfig, local_spark, published_files,
    )

Datasets roll up from the fine grain, one summing pass over the conformed CUR frame; those that
take parameters return the ``DataFrame -> DataFrame`` function::

    grain = without_split_cost_rows(conform_cur(cur)).transform(fine_grain())
    grain.transform(daily_cost)
    grain.transform(service_monthly(["2024-04", "2024-05"]))
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "BillingPeriod": "cur_analysis.periods",
    "CurAnalysisError": "cur_analysis.errors",
    "CurReader": "cur_analysis.io.readers",
    "LocalCatalogReader": "cur_analysis.local.reader",
    "GlueCatalogReader": "cur_analysis.io.readers",
    "read_cur": "cur_analysis.io.readers",
    "conform_cur": "cur_analysis.conform",
    "conform_legacy": "cur_analysis.conform",
    "conform_cur2": "cur_analysis.conform",
    "without_split_cost_rows": "cur_analysis.conform",
    "MEASURES": "cur_analysis.measures",
    "unblended_cost": "cur_analysis.measures",
    "net_unblended_cost": "cur_analysis.measures",
    "amortized_cost": "cur_analysis.measures",
    "net_amortized_cost": "cur_analysis.measures",
    "public_on_demand_cost": "cur_analysis.measures",
    "ri_sp_trueup": "cur_analysis.measures",
    "usage_amount": "cur_analysis.measures",
    "fine_grain": "cur_analysis.datasets.grain",
    "daily_cost": "cur_analysis.datasets.daily_cost",
    "account_monthly": "cur_analysis.datasets.monthly",
    "service_monthly": "cur_analysis.datasets.monthly",
    "tag_monthly": "cur_analysis.datasets.monthly",
    "savings_monthly": "cur_analysis.datasets.savings",
    "run": "cur_analysis.pipeline",
    "RunConfig": "cur_analysis.pipeline",
    "DATASETS": "cur_analysis.datasets.registry",
    "local_spark": "cur_analysis.local.session",
    "published_files": "cur_analysis.io.publish",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    """Load an API name from its module on first use (PEP 562)."""
    if name not in _API:
        raise AttributeError(f"module 'cur_analysis' has no attribute {name!r}")
    return getattr(import_module(_API[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
