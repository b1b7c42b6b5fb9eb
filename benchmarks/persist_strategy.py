"""The other way to scan once: persist the conformed frame, projected to the columns the datasets
use, and aggregate it once per dataset.

The pipeline did this before the fine-grain pass (``cur_analysis.datasets.grain``), then without
the projection (it persisted every conformed column); the benchmark keeps this variant to show
which of the two is faster. The ``cur``-taking dataset functions each aggregate the persisted
frame, so the source is still read once.
"""

from __future__ import annotations

from pyspark import StorageLevel
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.conform import conform_cur, user_tag_columns, without_split_cost_rows
from cur_analysis.datasets import monthly, savings
from cur_analysis.datasets.daily_cost import daily_cost
from cur_analysis.io.readers import CurReader
from cur_analysis.io.writers import write_periods
from cur_analysis.pipeline import RunConfig, plan_scan

from .plan import read_columns


def run_persisting_conformed(reader: CurReader, config: RunConfig) -> None:
    """Compute and write the configured datasets from a persisted conformed frame."""
    scan = plan_scan(reader, config)  # for the periods only; its grain is not used
    source = reader.read(config.database, config.table, scan.loaded)
    with_tags = "tag_monthly" in config.datasets
    conformed = without_split_cost_rows(conform_cur(source, with_tags=with_tags))
    used = [name for name in conformed.columns if name in set(read_columns(scan.grain))]
    cur = conformed.select(*used, c.BILLING_PERIOD).persist(StorageLevel.MEMORY_AND_DISK)
    labels = [p.label for p in scan.periods]
    loaded = [p.label for p in scan.loaded]
    tags = user_tag_columns(cur.columns) if with_tags else []
    builders = {
        "daily_cost": daily_cost,
        "account_monthly": lambda frame: monthly.account_monthly(frame, loaded),
        "service_monthly": lambda frame: monthly.service_monthly(frame, loaded),
        "tag_monthly": lambda frame: monthly.tag_monthly(frame, tags),
        "savings_monthly": savings.savings_monthly,
    }
    try:
        cur.where(F.col(c.BILLING_PERIOD).isin(*labels)).groupBy(c.BILLING_PERIOD).count().collect()
        for name in config.datasets:
            dataset = builders[name](cur).where(F.col(c.BILLING_PERIOD).isin(*labels))
            if name in ("account_monthly", "service_monthly"):
                dataset = dataset.persist(StorageLevel.MEMORY_AND_DISK)
                dataset.collect()  # the movers' read of the dataset
            write_periods(dataset, config.output, name)
            dataset.unpersist()
    finally:
        cur.unpersist()
