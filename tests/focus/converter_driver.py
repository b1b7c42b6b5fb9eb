"""Run focus-converter 1.0.0's own conversion plan over one input, in its own virtualenv.

Usage: ``python converter_driver.py PROVIDER FORMAT INPUT OUTPUT.parquet`` (``aws`` for the
Athena column names, ``aws-cur`` for the CSV headers such as ``lineItem/UnblendedCost``).

It calls the converter's public steps (``FocusConverter``: load the provider's plans, load the
data, prepare the plan, apply it to each lazy frame) and writes the collected frame itself:
the CLI's exporter hands each frame to writer processes forked after polars has started its
thread pool, and here that hangs for good (polars documents fork as unsafe once its threads run).
This script imports nothing from cur_analysis: the converter's virtualenv has only its own pins.
"""

from __future__ import annotations

import sys

import polars as pl
from focus_converter.conversion_functions.validations import SOURCE_COLUMN_NAME
from focus_converter.converter import FocusConverter
from focus_converter.data_loaders.data_loader import DataFormats, ParquetDataFormat
from focus_converter.models.focus_column_names import FocusColumnNames


def _with_absent_as_null(lf: pl.LazyFrame, required: set[str]) -> pl.LazyFrame:
    """Columns the plan reads but the file lacks, as nulls.

    The converter refuses a frame without every column its plan names; the 2018
    Well-Architected months predate ``bill_invoicing_entity``, ``pricing_rate_code``,
    ``product_region_code`` and the savings-plan columns. A missing CUR column means "no value"
    (the CUR drops columns it has nothing for), which is how cur_analysis conforms it too.
    """
    missing = sorted(required - set(lf.columns))
    return lf.with_columns([pl.lit(None, dtype=_type_of(name)).alias(name) for name in missing])


def _type_of(name: str) -> pl.DataType:
    """The type a CUR column has by its name: the converter computes with dates and amounts
    (an untyped null fails its date arithmetic)."""
    if name.endswith("_date"):
        return pl.Datetime("ms")
    if name.endswith(("_cost", "_rate", "_units", "_amount", "_fee", "_commitment")):
        return pl.Float64
    return pl.Utf8


def convert(provider: str, data_format: str, source: str, target: str) -> None:
    converter = FocusConverter()
    converter.load_provider_conversion_configs()
    parquet = ParquetDataFormat.FILE if data_format == "parquet" else None
    converter.load_data(
        data_path=source, data_format=DataFormats(data_format), parquet_data_format=parquet
    )
    converter.prepare_horizontal_conversion_plan(provider=provider)
    collected = set(converter.h_collected_columns)
    columns = [name.value for name in FocusColumnNames if name.value in collected]
    required = set(converter.__column_validator__.__network_graph__.successors(SOURCE_COLUMN_NAME))
    frames = [
        converter.__process_lazy_frame__(lf=_with_absent_as_null(lf, required))
        .select(columns)
        .collect()
        for lf in converter.data_loader.data_scanner()
    ]
    pl.concat(frames).write_parquet(target)


if __name__ == "__main__":
    convert(*sys.argv[1:5])
