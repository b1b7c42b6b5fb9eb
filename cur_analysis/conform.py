"""Conform the drifting legacy CUR schema into one stable frame the measures can rely on."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from cur_analysis import columns as c


def _conformed(df_columns: set[str], name: str) -> Column:
    """The column cast to its conformed type; a typed null when the month's files lack it."""
    data_type = c.SOURCE_SCHEMA[name]
    if name not in df_columns:
        return F.lit(None).cast(data_type).alias(name)
    column = F.col(name).cast(data_type)
    if isinstance(data_type, StringType):
        # The CUR writes "" for "no value"; null keeps coalesce() and joins honest.
        column = F.when(column == "", None).otherwise(column)
    return column.alias(name)


def billing_period_of_partition() -> Column:
    """``YYYY-MM`` from the ``year``/``month`` partition keys (month is not zero-padded there)."""
    return F.concat_ws("-", F.col(c.YEAR), F.lpad(F.col(c.MONTH), 2, "0"))


def user_tag_columns(columns: list[str]) -> list[str]:
    """The legacy CUR's user tag columns (``resource_tags_user_*``), in a stable order."""
    return sorted(name for name in columns if name.lower().startswith(c.USER_TAG_PREFIX))


def conform_legacy(df: DataFrame, *, with_tags: bool = False) -> DataFrame:
    """Project a legacy CUR frame onto ``SOURCE_SCHEMA`` plus partition keys and billing period.

    Only the columns the library uses are kept, so Parquet reads only those; user tag columns
    are kept when ``with_tags`` (empty tag values become null, i.e. untagged).
    """
    present = {name.lower() for name in df.columns}
    missing_keys = [key for key in c.PARTITION_KEYS if key not in present]
    if missing_keys:
        raise ValueError(
            f"the CUR frame lacks the partition columns {missing_keys}; it has {sorted(present)}"
        )
    projected = [_conformed(present, name) for name in c.SOURCE_SCHEMA]
    tags = user_tag_columns(df.columns) if with_tags else []
    tag_columns = [F.when(F.col(tag) == "", None).otherwise(F.col(tag)).alias(tag) for tag in tags]
    return df.select(
        *projected,
        *tag_columns,
        F.col(c.YEAR),
        F.col(c.MONTH),
        billing_period_of_partition().alias(c.BILLING_PERIOD),
    )


def without_split_cost_rows(df: DataFrame) -> DataFrame:
    """Drop split cost allocation rows (EKS/ECS task splits), which duplicate instance cost."""
    operation = F.col(c.OPERATION)
    return df.where(operation.isNull() | ~operation.isin(*c.SPLIT_COST_OPERATIONS))


def conform_cur(df: DataFrame, *, with_tags: bool = False) -> DataFrame:
    """Conform a CUR frame of either layout to the library's columns (the one entry point)."""
    return conform_legacy(df, with_tags=with_tags)
