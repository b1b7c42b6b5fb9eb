"""``focus``: one FOCUS 1.0 row per CUR line item (split cost allocation rows left out).

Built from the conformed line items, not from the fine grain: it is the only line-item level
dataset. The columns and their rules are ``focus.rules``; ``billing_period`` stays on the rows
so the writer partitions them like every other dataset.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.datasets.grain import Transform
from cur_analysis.focus.rules import focus_columns


def focus(tag_columns: Sequence[str] = ()) -> Transform:
    """The FOCUS rows of conformed line items (``conform_cur`` with ``FOCUS_SOURCE``)."""

    def to_focus(line_items: DataFrame) -> DataFrame:
        return line_items.select(*focus_columns(tag_columns), F.col(c.BILLING_PERIOD))

    return to_focus
