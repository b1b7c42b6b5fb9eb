"""Conform the drifting legacy CUR schema into one stable frame the measures can rely on."""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StringType

from cur_analysis import columns as c
from cur_analysis.errors import SourceDataError
from cur_analysis.periods import label_column, month_column, year_column
from cur_analysis.reuse import per_jvm


def missing_required(columns: list[str] | tuple[str, ...]) -> list[str]:
    """The required columns (``columns.REQUIRED_COLUMNS``) absent from ``columns``."""
    present = {name.lower() for name in columns}
    return [name for name in c.REQUIRED_COLUMNS if name not in present]


def require_columns(columns: list[str] | tuple[str, ...], where: str) -> None:
    """Refuse a source without a column every measure needs (naming it and ``where``).

    CUR 2.0 keeps every one of them as a column of its own, so the same list applies.
    """
    missing = missing_required(columns)
    if missing:
        raise SourceDataError(
            f"{where} has no column {', '.join(missing)}, which every cost measure needs: "
            "the export is incomplete or not a CUR; fix the export before running"
        )


def _blank_as_null(column: Column) -> Column:
    """The CUR writes "" for "no value"; null keeps coalesce() and grouping honest."""
    return F.when(column == "", None).otherwise(column)


def cast_as(name: str, source: DataType | None, target: DataType) -> Column:
    """Column ``name`` (of type ``source``; None when absent) as ``target``, aliased ``name``.

    The same in Spark 3.5 and in Spark 4's ANSI mode, where a plain cast of a string that is
    no number fails the query: text that does not parse as ``target`` (a blank, say) is null,
    as a non-ANSI cast gives and as Glue's ``match_catalog`` resolution does (``try_cast``,
    in Spark SQL since 3.2). Other casts are plain casts.
    """
    if source is None:
        return F.lit(None).cast(target).alias(name)
    if source == target:
        return F.col(name).alias(name)
    if isinstance(source, StringType):
        quoted = "`" + name.replace("`", "``") + "`"
        return F.expr(f"try_cast({quoted} AS {target.simpleString()})").alias(name)
    return F.col(name).cast(target).alias(name)


def _conformed(df_types: dict[str, DataType], name: str, data_type: DataType) -> Column:
    """The column cast to its conformed type; a typed null when the month's files lack it."""
    column = cast_as(name, df_types.get(name), data_type)
    if isinstance(data_type, StringType) and name in df_types:
        column = _blank_as_null(column).alias(name)
    return column


def _types(df: DataFrame) -> dict[str, DataType]:
    """Column name (lower case, as the catalog names it) -> type."""
    return {field.name.lower(): field.dataType for field in df.schema.fields}


def user_tag_columns(columns: list[str]) -> list[str]:
    """The legacy CUR's user tag columns (``resource_tags_user_*``), in a stable order."""
    return sorted(name for name in columns if name.lower().startswith(c.USER_TAG_PREFIX))


def _schema(extra_columns: Mapping[str, DataType] | None) -> dict[str, DataType]:
    """``SOURCE_SCHEMA`` plus the columns a requested dataset reads besides (FOCUS's)."""
    return {**c.SOURCE_SCHEMA, **(extra_columns or {})}


Fields = tuple[tuple[str, DataType], ...]


def _fields(types: Mapping[str, DataType]) -> Fields:
    """A schema as a hashable key: the months of a table share it, so their projection is
    built once per JVM (``reuse.per_jvm``)."""
    return tuple(types.items())


def conform_legacy(
    df: DataFrame, *, with_tags: bool = False, extra_columns: Mapping[str, DataType] | None = None
) -> DataFrame:
    """Project a legacy CUR frame onto ``SOURCE_SCHEMA`` plus partition keys and billing period.

    Only the columns the library uses are kept, so Parquet reads only those. A column a month's
    files lack comes back as a typed null, and an empty string as null, so months of a drifting
    export sum alike.

    Args:
        df: Legacy CUR rows with their ``year`` and ``month`` partition columns.
        with_tags: Keep the user tag columns (``resource_tags_user_*``); an empty tag value
            becomes null, i.e. untagged.
        extra_columns: Source columns (name -> type) beyond ``SOURCE_SCHEMA`` that a requested
            dataset reads (FOCUS's, the CID views').

    Returns:
        The conformed line items: ``SOURCE_SCHEMA``'s columns at their types, the tag columns
        when asked, ``year``, ``month`` and ``billing_period`` (``YYYY-MM``).

    Raises:
        ValueError: ``df`` lacks the ``year`` or ``month`` partition column.
    """
    present = _types(df)
    missing_keys = [key for key in c.PARTITION_KEYS if key not in present]
    if missing_keys:
        raise ValueError(
            f"the CUR frame lacks the partition columns {missing_keys}; it has {sorted(present)}"
        )
    tags = tuple(user_tag_columns(df.columns)) if with_tags else ()
    return df.select(*_legacy_projection(_fields(present), _fields(_schema(extra_columns)), tags))


@per_jvm
def _legacy_projection(
    present: Fields, schema: Fields, tags: tuple[str, ...]
) -> tuple[Column, ...]:
    types = dict(present)
    return (
        *[_conformed(types, name, data_type) for name, data_type in schema],
        *[_blank_as_null(F.col(tag)).alias(tag) for tag in tags],
        F.col(c.YEAR),
        F.col(c.MONTH),
        label_column(F.col(c.YEAR), F.col(c.MONTH)).alias(c.BILLING_PERIOD),
    )


def without_split_cost_rows(df: DataFrame) -> DataFrame:
    """Drop split cost allocation rows (EKS/ECS task splits), which duplicate instance cost.

    Args:
        df: Conformed line items (``conform_cur``).

    Returns:
        The line items without the split-cost operations; a null operation is kept.
    """
    return df.where(_not_split_cost())


@per_jvm
def _not_split_cost() -> Column:
    operation = F.col(c.OPERATION)
    return operation.isNull() | ~operation.isin(*c.SPLIT_COST_OPERATIONS)


def is_cur2(df: DataFrame) -> bool:
    """CUR 2.0 (Data Exports) has ``bill_payer_account_name`` and the ``resource_tags`` map."""
    names = {name.lower() for name in df.columns}
    return c.CUR2_MARKER in names and c.CUR2_RESOURCE_TAGS in names


def _cur2_source(df_types: dict[str, DataType], name: str, data_type: DataType) -> Column:
    """A conformed column from CUR 2.0: ``product_region`` and other ``product_*`` attributes
    without a column of their own there come from the ``product`` map."""
    from_product = name.startswith("product_") and name != c.CUR2_PRODUCT
    if from_product and name not in df_types and c.CUR2_PRODUCT in df_types:
        value = F.col(c.CUR2_PRODUCT).getItem(name.removeprefix("product_"))
        return _blank_as_null(value.cast(data_type)).alias(name)
    return _conformed(df_types, name, data_type)


def cur2_user_tag_keys(df: DataFrame) -> list[str]:
    """The user tag keys (``user_*``) present in a CUR 2.0 frame's ``resource_tags`` map.

    CUR 2.0 keeps tags as data, not columns, so finding the keys reads that one map column.
    """
    keys = df.select(F.explode(F.map_keys(F.col(c.CUR2_RESOURCE_TAGS))).alias("key")).distinct()
    found = [row["key"] for row in keys.collect()]
    return sorted(key for key in found if key.startswith(c.CUR2_USER_TAG_PREFIX))


def conform_cur2(
    df: DataFrame, *, with_tags: bool = False, extra_columns: Mapping[str, DataType] | None = None
) -> DataFrame:
    """Project a CUR 2.0 frame onto the same columns ``conform_legacy`` produces.

    User tags become ``resource_tags_user_<key>`` columns and ``product_*`` attributes without
    a column of their own come from the ``product`` map, so every dataset works unchanged.

    Args:
        df: CUR 2.0 (Data Exports) rows with their ``BILLING_PERIOD`` partition column.
        with_tags: Keep the user tags of the ``resource_tags`` map as columns (finding the
            keys reads that column: one Spark job).
        extra_columns: Source columns (name -> type) beyond ``SOURCE_SCHEMA`` that a requested
            dataset reads.

    Returns:
        The conformed line items, column for column as ``conform_legacy`` makes them.
    """
    keys = tuple(cur2_user_tag_keys(df)) if with_tags else ()
    return df.select(*_cur2_projection(_fields(_types(df)), _fields(_schema(extra_columns)), keys))


@per_jvm
def _cur2_projection(
    present: Fields, schema: Fields, tag_keys: tuple[str, ...]
) -> tuple[Column, ...]:
    types = dict(present)
    tag_columns = [
        _blank_as_null(F.col(c.CUR2_RESOURCE_TAGS).getItem(key)).alias(
            c.USER_TAG_PREFIX + key[len(c.CUR2_USER_TAG_PREFIX) :]
        )
        for key in tag_keys
    ]
    period = F.col(c.CUR2_PARTITION_KEY)
    return (
        *[_cur2_source(types, name, data_type) for name, data_type in schema],
        *tag_columns,
        year_column(period).alias(c.YEAR),
        month_column(period).alias(c.MONTH),
        period.alias(c.BILLING_PERIOD),
    )


def conform_cur(
    df: DataFrame, *, with_tags: bool = False, extra_columns: Mapping[str, DataType] | None = None
) -> DataFrame:
    """Conform a CUR frame of either layout to the library's columns: the one entry point.

    A frame with CUR 2.0's ``bill_payer_account_name`` and ``resource_tags`` columns goes to
    ``conform_cur2``, any other to ``conform_legacy``.

    Args:
        df: CUR rows as ``read_cur`` returns them, legacy or CUR 2.0.
        with_tags: Keep the user tags as ``resource_tags_user_*`` columns.
        extra_columns: Source columns (name -> type) beyond ``SOURCE_SCHEMA`` that a requested
            dataset reads.

    Returns:
        The conformed line items (see ``conform_legacy``).

    Raises:
        ValueError: A legacy frame lacks the ``year`` or ``month`` partition column.
    """
    conform = conform_cur2 if is_cur2(df) else conform_legacy
    return conform(df, with_tags=with_tags, extra_columns=extra_columns)
