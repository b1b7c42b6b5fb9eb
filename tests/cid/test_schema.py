"""The cid tables' schemas: CID's column names in CID's order, with Athena's types."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cur_analysis.cid import schema
from cur_analysis.datasets.registry import CID, CID_GROUP, GROUPS, by_name, parse_datasets
from cur_analysis.pipeline import RunConfig

# Each view's SELECT list, read off CID's files (cid/builtin/core/data/queries/...), written out
# here apart from ``cur_analysis.cid.schema`` so that renaming a column there fails too.
CID_FILES = {
    "summary_view": (
        "cid/summary_view.sql",
        "year month tags_json billing_period usage_date payer_account_id linked_account_id "
        "invoice_id charge_type charge_category purchase_option ri_sp_arn product_code "
        "product_name service product_family usage_type operation item_description "
        "availability_zone region instance_type_family instance_type platform tenancy processor "
        "processor_features database_engine product_group product_from_location "
        "product_to_location current_generation legal_entity billing_entity pricing_unit "
        "resource_id_count usage_quantity unblended_cost amortized_cost ri_sp_trueup "
        "ri_sp_upfront_fees public_cost",
    ),
    # the dummy view's four columns, then account_map_cur2.sql's parent_account_name
    "account_map": (
        "shared/account_map_dummy.sql, shared/account_map_cur2.sql",
        "account_id parent_account_id account_name account_email_id parent_account_name",
    ),
    "ri_sp_mapping": (
        "cid/ri_sp_mapping.sql",
        "billing_period_mapping payer_account_id_mapping ri_sp_arn_mapping ri_sp_end_date "
        "ri_sp_term ri_sp_offering ri_sp_payment",
    ),
    "ec2_running_cost": (
        "cid/ec2_running_cost.sql",
        "year month tags_json billing_period usage_date payer_account_id linked_account_id "
        "purchase_option amortized_cost usage_quantity",
    ),
    "compute_savings_plan_eligible_spend": (
        "cid/compute_savings_plan_eligible_spend.sql",
        "year month tags_json payer_account_id linked_account_id billing_period usage_date "
        "unblended_cost",
    ),
    "s3_view": (
        "cid/s3.sql",
        "year month tags_json billing_period usage_date payer_account_id linked_account_id "
        "resource_id product_code operation region charge_type pricing_unit usage_quantity "
        "unblended_cost public_cost",
    ),
}
COLUMNS = {
    "summary_view": schema.SUMMARY_VIEW,
    "account_map": schema.ACCOUNT_MAP,
    "ri_sp_mapping": schema.RI_SP_MAPPING,
    "ec2_running_cost": schema.EC2_RUNNING_COST,
    "compute_savings_plan_eligible_spend": schema.COMPUTE_SAVINGS_PLAN_ELIGIBLE_SPEND,
    "s3_view": schema.S3_VIEW,
}
NAMES = list(CID_FILES)


@pytest.mark.parametrize("view", NAMES)
def test_the_declared_columns_are_cids(view) -> None:
    assert tuple(COLUMNS[view]) == tuple(CID_FILES[view][1].split())


def test_the_group_is_the_six_views_in_order() -> None:
    assert GROUPS[CID_GROUP] == tuple(NAMES) == tuple(d.name for d in CID)
    assert parse_datasets("daily_cost, cid") == ("daily_cost", *NAMES)
    config = RunConfig("db", "t", ("2024-05",), "/tmp/x", datasets=("cid", "s3_view"))
    assert config.datasets == tuple(NAMES)


PERIODIC = [view for view in NAMES if view != "account_map"]


def _types(fields) -> list[tuple[str, str]]:
    return [(f.name, f.dataType.simpleString()) for f in fields]


@pytest.mark.parametrize("view", PERIODIC)
def test_the_table_has_cids_columns_and_types(spark, cid_generated, view) -> None:
    table = spark.table(f"gen_cid.{view}")
    columns = COLUMNS[view]
    expected = [
        (n, columns.get(n, schema.StringType()).simpleString())
        for n in schema.table_columns(columns)
    ]
    assert _types(table.schema.fields) == expected


def test_account_map_is_one_table_of_cids_columns_then_the_latest_usage_start(
    spark, cid_generated
) -> None:
    table = spark.table("gen_cid.account_map")
    expected = [(name, "string") for name in CID_FILES["account_map"][1].split()]
    assert _types(table.schema.fields) == [*expected, (schema.LAST_USAGE_START, "timestamp")]
    assert not [c for c in spark.catalog.listColumns("gen_cid.account_map") if c.isPartition]


@pytest.mark.parametrize("view", PERIODIC)
def test_the_files_hold_the_declared_columns_in_order(cid_generated, view) -> None:
    _, output = cid_generated
    files = sorted(Path(output, view).glob("year=*/month=*/run=*/*.parquet"))
    assert len(files) == 3  # one file per period
    for file in files:
        assert tuple(pq.read_schema(file).names) == by_name(view).columns


def test_account_map_is_one_file_of_the_declared_columns(cid_generated) -> None:
    _, output = cid_generated
    (file,) = sorted(Path(output, "account_map").glob("**/*.parquet"))
    assert file.parent.name.startswith("run=")
    assert tuple(pq.read_schema(file).names) == by_name("account_map").columns
