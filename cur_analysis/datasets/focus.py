"""``focus``: FOCUS rows of the CUR line items (split cost allocation rows left out), in the
run's FOCUS version (``focus.versions``), one per line item or summed to a time granularity
(``focus.granularity``).

Built from the conformed line items, not from the fine grain: it is the only line-item level
dataset. ``billing_period`` stays on the rows so the writer partitions them like every other
dataset.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.datasets.grain import Transform
from cur_analysis.focus.granularity import to_granularity
from cur_analysis.focus.options import FocusOptions
from cur_analysis.focus.versions import VERSIONS, focus_columns


def focus(tag_columns: Sequence[str] = (), options: FocusOptions | None = None) -> Transform:
    """The FOCUS rows of conformed line items (``conform_cur`` with ``FOCUS_SOURCE``)."""
    options = options or FocusOptions()
    version = VERSIONS[options.version]

    def to_focus(line_items: DataFrame) -> DataFrame:
        rows = line_items.select(*focus_columns(version, tag_columns), F.col(c.BILLING_PERIOD))
        if options.aggregated:
            return rows.transform(to_granularity(version, options.granularity))
        return rows

    return to_focus
