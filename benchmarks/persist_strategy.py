"""The other way to scan once: persist the conformed frame, projected to the columns the datasets
use, and aggregate it once per dataset.

The pipeline did this before the fine-grain pass (``cur_analysis.datasets.grain``), then without
the projection (it persisted every conformed column); the benchmark keeps this variant to show
which of the two is faster. Each dataset sums the persisted frame to its own fine grain and
rolls up from it, so the source is still read once.
"""

from __future__ import annotations

from pyspark import StorageLevel
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.conform import conform_cur, without_split_cost_rows
from cur_analysis.datasets.grain import fine_grain
from cur_analysis.io.readers import CurReader
from cur_analysis.io.writers import write_periods
from cur_analysis.pipeline import RunConfig, plan_scan

from .plan import read_columns


def run_persisting_conformed(reader: CurReader, config: RunConfig) -> None:
    """Compute and write the configured datasets from a persisted conformed frame."""
    scan = plan_scan(reader, config)  # for the periods only; its grain is not used
    source = reader.read(config.database, config.table, scan.loaded)
    selected = config.selected
    with_tags = any(dataset.reads_tags for dataset in selected)
    conformed = without_split_cost_rows(conform_cur(source, with_tags=with_tags))
    used = [name for name in conformed.columns if name in set(read_columns(scan.grain))]
    cur = conformed.select(*used, c.BILLING_PERIOD).persist(StorageLevel.MEMORY_AND_DISK)
    in_periods = F.col(c.BILLING_PERIOD).isin(*[p.label for p in scan.periods])
    scope = scan.scope
    try:
        cur.where(in_periods).groupBy(c.BILLING_PERIOD).count().collect()
        for dataset in selected:
            tags = scope.tag_columns if dataset.reads_tags else ()
            frame = cur.transform(fine_grain(tags)).transform(dataset.builder(scope))
            frame = frame.where(in_periods)
            if dataset.movers is not None:
                frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
                frame.collect()  # the movers' read of the dataset
            write_periods(frame, config.output, dataset.name)
            frame.unpersist()
    finally:
        cur.unpersist()
