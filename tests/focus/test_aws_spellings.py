"""FOCUS values as AWS's native export writes them: units, SkuPriceId, ServiceCategory per line,
ResourceType and credits, so that converted months union with the months AWS delivers.

Expected values are AWS's: a month of AWS's native FOCUS 1.0 export, anonymized, that the FinOps
Foundation publishes (github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS-Sample-Data at adbdd17,
``FOCUS-1.0/focus_sample.csv``, CC BY 4.0), transcribed below as the spellings and pairs it
shows; or the FOCUS 1.2 spec's UnitFormat (``specification/attributes/unit_format.md``), written
here as a pattern of its own; or read from the raw CUR files with DuckDB.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from pyspark.sql import DataFrame

from cur_analysis import columns as c
from cur_analysis.focus import source as s
from cur_analysis.focus.rules_1_2 import RULES_1_2
from cur_analysis.focus.service_categories import LINE_CATEGORIES, OTHER, SERVICE_CATEGORIES
from cur_analysis.focus.service_subcategories import SERVICE_SUBCATEGORIES
from cur_analysis.focus.units import (
    CUR_UNITS,
    FOCUS_UNITS,
    USAGE_TYPE_UNITS,
    unknown_unit_metrics,
    unknown_units_note,
)

from ..support_frames import raw_frame
from .oracle_spec_1_2 import SUBCATEGORIES
from .support import CONVERTER_SAMPLE, SAMPLE_MONTH, FocusRun

# Every PricingUnit of the AWS rows of AWS's export.
AWS_EXPORT_UNITS = {
    "ACU-Hours",
    "API Requests",
    "Alarms",
    "Events",
    "GB",
    "GB-Months",
    "GiB/Second-Months",
    "Hours",
    "IOPS-Months",
    "IOs",
    "Keys",
    "LCU-Hours",
    "Lambda-GB-Seconds",
    "Metrics",
    "Months",
    "Queries",
    "ReadRequestUnits",
    "Requests",
    "Seconds",
    "Security Checks",
    "StateTransitions",
    "WriteCapacityUnit-Hours",
    "WriteRequestUnits",
    "vCPU-Hours",
}

# FOCUS 1.2 UnitFormat, from the spec's text: data sizes abbreviated, time units from its list,
# any other noun a capitalized count unit; the five forms it allows.
_DATA = "b|Kb|Mb|Gb|Tb|Pb|Eb|B|KB|MB|GB|TB|PB|EB|Kib|Mib|Gib|Tib|Pib|Eib|KiB|MiB|GiB|TiB|PiB|EiB"
_TIME = "Year|Month|Day|Hour|Minute|Second"
_TIMES = "Years|Months|Days|Hours|Minutes|Seconds"
_UNIT = rf"(?:{_DATA}|[A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*)*)"
UNIT_FORMAT = re.compile(
    rf"^(?:{_UNIT}|{_UNIT}-(?:{_TIMES})|{_UNIT}/(?:{_TIME})|[0-9]+ {_UNIT}"
    rf"|{_UNIT}/[0-9]+ (?:{_TIMES}))$"
)
# The CUR's abbreviations: Hrs, Hr, -Mo, -mo, a singular time unit after a hyphen.
CUR_ABBREVIATION = re.compile(r"(?:Hrs?|-[Mm]o|-(?:Month|Hour|Second|Day))$")


def _as_aws_writes_or_unit_format(unit: str) -> bool:
    return unit in AWS_EXPORT_UNITS or bool(UNIT_FORMAT.match(unit))


def _sample_files(samples_dir: Path) -> list[str]:
    return [str(path) for path in sorted(samples_dir.glob("wal_*.snappy.parquet"))]


def _duckdb_rows(sql: str) -> list[tuple]:
    connection = duckdb.connect()
    return connection.sql(sql).fetchall()


def _cur_units(samples_dir: Path, generated_export: Path) -> set[str]:
    """Every pricing_unit of the real samples and of the generated export, read with DuckDB."""
    wal = ", ".join(f"'{path}'" for path in _sample_files(samples_dir))
    units = _duckdb_rows(
        f"select distinct pricing_unit from read_parquet([{wal}], union_by_name=true)"
    )
    csv = samples_dir / CONVERTER_SAMPLE
    units += _duckdb_rows(
        f"select distinct \"pricing/unit\" from read_csv('{csv}', all_varchar=true)"
    )
    for path in generated_export.rglob("*.parquet"):
        if "pricing_unit" in pq.read_schema(path).names:
            units += [(u,) for u in pq.read_table(path, columns=["pricing_unit"])[0].to_pylist()]
    return {unit for (unit,) in units if unit}


def test_every_cur_unit_of_the_samples_and_the_generator_is_mapped(
    samples_dir: Path, generated_export: Path
) -> None:
    units = _cur_units(samples_dir, generated_export)
    assert {"Hrs", "GB-Mo", "64K-Chunks", "API Request"} <= units  # the read found them
    assert units - set(CUR_UNITS) == set()


def test_every_unit_written_is_aws_spelling_or_unit_format() -> None:
    written = set(CUR_UNITS.values()) | {unit for _part, unit in USAGE_TYPE_UNITS}
    assert written <= FOCUS_UNITS
    assert {unit for unit in written if not _as_aws_writes_or_unit_format(unit)} == set()
    assert {unit for unit in written if CUR_ABBREVIATION.search(unit)} == set()
    # AWS's export spells these as below (each in the sample).
    expected = {"Hrs": "Hours", "GB-Mo": "GB-Months", "IOPS-Mo": "IOPS-Months"}
    assert {unit: CUR_UNITS[unit] for unit in expected} == expected


def _focus_rows(spark, rows: list[dict], rules: tuple[str, ...]) -> DataFrame:
    """Conformed line items of ``rows`` (every FOCUS source column, the absent ones null) and
    the FOCUS 1.2 columns ``rules``."""
    from cur_analysis.conform import conform_legacy

    names = sorted({name for row in rows for name in row})
    conformed = conform_legacy(raw_frame(spark, rows, names), extra_columns=s.FOCUS_SOURCE)
    by_name = {rule.name: rule for rule in RULES_1_2}
    return conformed.select(*[by_name[name].expression().alias(name) for name in rules])


# (usage type, the CUR's unit, usage amount) -> PricingUnit, by hand: what the usage measures.
UNIT_CASES = [
    ("SpotUsage:c5.large", None, 1.0, "Hours"),
    ("EUW2-BoxUsage:t2.micro", None, 1.0, "Hours"),
    ("HeavyUsage:t2.micro", None, 744.0, "Hours"),
    ("TimedStorage-ByteHrs", None, 0.5, "GB-Months"),
    ("EBS:VolumeUsage.gp2", None, 8.0, "GB-Months"),
    ("DataTransfer-Out-Bytes", None, 0.1, "GB"),
    ("USE1-APN1-AWS-Out-Bytes", None, 0.1, "GB"),
    ("Requests-Tier2", None, 10.0, "Requests"),
    ("USE1-Fargate-vCPU-Hours:perCPU", None, 2.0, "Hours"),  # AWS writes Fargate as Hours
    ("BoxUsage:m5.large", "Hrs", 1.0, "Hours"),
    ("TimedStorage-ByteHrs", "GB-Mo", 1.0, "GB-Months"),
    ("Whatever", "Widgets", 1.0, "Widgets"),  # unknown: kept
    ("BoxUsage:m5.large", None, None, None),  # no quantity: no unit
]


def test_a_unit_is_aws_spelling_or_named_by_the_usage_type(spark) -> None:
    rows = [
        {c.USAGE_TYPE: usage_type, s.PRICING_UNIT: unit, c.USAGE_AMOUNT: amount}
        | {c.LINE_ITEM_TYPE: c.USAGE}
        for usage_type, unit, amount, _expected in UNIT_CASES
    ]
    got = _focus_rows(spark, rows, ("PricingUnit", "ConsumedUnit")).collect()
    assert [row["PricingUnit"] for row in got] == [case[-1] for case in UNIT_CASES]
    assert [row["ConsumedUnit"] for row in got] == [case[-1] for case in UNIT_CASES]


def _usage_types(files: list[Path], where: str) -> set[str]:
    """The distinct usage types of the lines of ``files`` that ``where`` selects (DuckDB)."""
    paths = ", ".join(f"'{path}'" for path in files)
    rows = _duckdb_rows(
        f"select distinct line_item_usage_type from read_parquet([{paths}], union_by_name=true) "
        f"where coalesce(line_item_usage_type, '') <> '' and {where}"
    )
    return {usage_type for (usage_type,) in rows}


def _blank_unit_usage_types(samples_dir: Path, generated_export: Path) -> set[str]:
    """The usage type of every line with a quantity and no unit: in the real samples, and every
    usage type the generator writes (it writes no pricing_unit)."""
    blank_unit = "coalesce(pricing_unit, '') = '' and line_item_usage_amount is not null"
    wal = [Path(path) for path in _sample_files(samples_dir)]
    generated = sorted(generated_export.rglob("*.parquet"))
    return _usage_types(wal, blank_unit) | _usage_types(generated, "true")


def test_every_usage_type_of_a_line_without_unit_names_one(
    spark, samples_dir: Path, generated_export: Path
) -> None:
    usage_types = sorted(_blank_unit_usage_types(samples_dir, generated_export))
    assert "SpotUsage:c5.large" in usage_types and "BoxUsage:m5.large" in usage_types
    rows = [
        {c.USAGE_TYPE: usage_type, c.USAGE_AMOUNT: 1.0, c.LINE_ITEM_TYPE: c.USAGE}
        for usage_type in usage_types
    ]
    got = _focus_rows(spark, rows, ("PricingUnit",)).collect()
    unnamed = [t for t, row in zip(usage_types, got, strict=True) if row["PricingUnit"] is None]
    assert unnamed == []


@pytest.mark.spark  # the runs are fixtures it asks for by name
@pytest.mark.parametrize(
    "run",
    [
        "focus_samples",
        "focus_converter_sample",
        "focus_generated",
        "focus_samples_1_0",
        "focus_converter_sample_1_0",
    ],
)
def test_units_written_are_aws_spellings_with_no_cur_abbreviation(run: str, request) -> None:
    table = request.getfixturevalue(run).table
    for name in ("PricingUnit", "ConsumedUnit"):
        values = {value for value in table.column(name).to_pylist() if value is not None}
        assert values, name
        assert {v for v in values if not _as_aws_writes_or_unit_format(v)} == set(), name
        assert {v for v in values if CUR_ABBREVIATION.search(v)} == set(), name


@pytest.mark.spark  # the runs are fixtures it asks for by name
@pytest.mark.parametrize("run", ["focus_samples", "focus_converter_sample"])
def test_no_quantity_without_a_unit_on_the_real_samples(run: str, request) -> None:
    frame = request.getfixturevalue(run).table.to_pandas()
    for quantity, unit in (
        ("PricingQuantity", "PricingUnit"),
        ("ConsumedQuantity", "ConsumedUnit"),
    ):
        assert (frame[quantity].notna() & frame[unit].isna()).sum() == 0, unit


def test_every_usage_line_of_generated_data_has_a_unit(focus_generated: FocusRun) -> None:
    """The generator's fee, credit and discount lines have no usage type; its usage lines do."""
    frame = focus_generated.table.to_pandas()
    assert frame["ConsumedQuantity"].notna().sum() > 0
    assert (frame["ConsumedQuantity"].notna() & frame["ConsumedUnit"].isna()).sum() == 0


def test_skuprice_id_is_sku_and_rate_id_where_the_cur_has_no_rate_code(
    focus_samples: FocusRun, samples_dir: Path
) -> None:
    frame = focus_samples.table.to_pandas()
    expected = {
        key
        for (key,) in _duckdb_rows(
            f"select distinct product_sku || '.' || pricing_rate_id from "
            f"'{samples_dir / SAMPLE_MONTH}' where pricing_rate_id <> ''"
        )
    }
    assert set(frame["SkuPriceId"].dropna()) == expected
    assert (frame.dropna(subset=["SkuPriceId"]).groupby("SkuPriceId")["SkuId"].nunique() == 1).all()


def test_skuprice_id_is_the_rate_code_aws_writes(
    focus_converter_sample: FocusRun, samples_dir: Path
) -> None:
    """The CUR's pricing/RateCode is AWS's <SKU>.<OfferTermCode>.<RateCode>."""
    frame = focus_converter_sample.table.to_pandas()
    csv = samples_dir / CONVERTER_SAMPLE
    codes = {
        code
        for (code,) in _duckdb_rows(
            f"select distinct \"pricing/RateCode\" from read_csv('{csv}', all_varchar=true) "
            'where "pricing/RateCode" is not null'
        )
    }
    assert set(frame["SkuPriceId"].dropna()) == codes
    assert all(len(code.split(".")) == 3 for code in codes)
    assert frame.loc[frame["ChargeCategory"] == "Tax", "SkuPriceId"].isna().all()


# Lines of AWS's export, under its ServiceName: the CUR product code of that service, a usage type
# and product family of the kind of line its ChargeDescription names, and AWS's ServiceCategory.
MG = "Management and Governance"
AWS_EXPORT_LINES = [
    # AWS CloudTrail, AWS Key Management Service, AWS Lambda, AWS Security Hub
    ("AWSCloudTrail", "APS3-FreeEventsRecorded", None, MG),
    ("awskms", "us-west-2-KMS-Keys", "Encryption Key", "Identity"),
    ("AWSLambda", "USE2-Request", "Serverless", "Compute"),
    ("AWSSecurityHub", "EUW2-PaidComplianceCheck", None, "Security"),
    # AWS Step Functions, AWS Systems Manager, AWS WAF, Amazon API Gateway
    ("AmazonStates", "USW2-StateTransition", None, "Compute"),
    ("AWSSystemsManager", "USE1-PS-Adv-API", None, MG),
    ("awswaf", "USW2-WebACL", None, "Security"),
    ("AmazonApiGateway", "USW2-DataTransfer-Out-Bytes", None, "Networking"),
    # Amazon CloudFront, Amazon DynamoDB, Amazon EC2 Container Registry (ECR)
    ("AmazonCloudFront", "US-Requests-Tier2-HTTPS", None, "Networking"),
    ("AmazonDynamoDB", "USW2-ReadRequestUnits", None, "Databases"),
    ("AmazonECR", "USW2-TimedStorage-ByteHrs", None, "Other"),
    # Amazon Elastic Compute Cloud: instances, NAT gateways, data transfer; EBS and snapshots
    ("AmazonEC2", "APS3-BoxUsage:c5.2xlarge", "Compute Instance", "Compute"),
    ("AmazonEC2", "USE2-NatGateway-Hours", "NAT Gateway", "Compute"),
    ("AmazonEC2", "APS3-DataTransfer-In-Bytes", "Data Transfer", "Compute"),
    ("AmazonEC2", "APS3-EBS:VolumeUsage.gp2", "Storage", "Storage"),
    ("AmazonEC2", "USW2-EBS:SnapshotUsage", "Storage Snapshot", "Storage"),
    ("AmazonEC2", "USW2-EBS:VolumeP-IOPS.gp3", "System Operation", "Storage"),
    ("AmazonEC2", "EUC1-EBS:VolumeP-Throughput.gp3", "Provisioned Throughput", "Storage"),
    ("AmazonEC2", "USW2-EBS:VolumeIOUsage", "System Operation", "Storage"),
    ("AmazonEC2", "EBSOptimized:t3a.small", "Compute Instance", "Storage"),
    # Amazon Elastic Container Service (for Kubernetes), Amazon Elastic File System
    ("AmazonECS", "USW2-Fargate-vCPU-Hours:perCPU", "Compute", "Other"),
    ("AmazonEKS", "USE2-AmazonEKS-Hours:perCluster", "Compute", "Other"),
    ("AmazonEFS", "APS1-IATimedStorage-ByteHrs", "Storage", "Storage"),
    # Amazon Relational Database Service, Amazon Route 53, SNS, SQS, S3
    ("AmazonRDS", "USW2-Aurora:StorageIOUsage", "System Operation", "Databases"),
    ("AmazonRoute53", "DNS-Queries", "DNS Query", "Networking"),
    ("AmazonSNS", "USW2-Requests-Tier1", "API Request", "Integration"),
    ("AWSQueueService", "USW2-Requests-Tier1", "API Request", "Integration"),
    ("AmazonS3", "USW2-TimedStorage-ByteHrs", "Storage", "Storage"),
    # Amazon Virtual Private Cloud, AmazonCloudWatch, Elastic Load Balancing
    ("AmazonVPC", "USE1-PublicIPv4:IdleAddress", "VPC Public IPv4 Address", "Networking"),
    ("AmazonCloudWatch", "USW2-TimedStorage-ByteHrs", "Storage Snapshot", MG),
    ("AWSELB", "USW2-LCUUsage", "Load Balancer-Application", "Networking"),
]


def test_service_category_per_line_is_aws_export(spark) -> None:
    rows = [
        {c.PRODUCT_CODE: code, c.USAGE_TYPE: usage_type, s.PRODUCT_FAMILY: family}
        for code, usage_type, family, _category in AWS_EXPORT_LINES
    ]
    got = _focus_rows(spark, rows, ("ServiceCategory", "ServiceSubcategory")).collect()
    lines = [(code, usage_type) for code, usage_type, _family, _category in AWS_EXPORT_LINES]
    assert list(zip(lines, [row["ServiceCategory"] for row in got], strict=True)) == list(
        zip(lines, [line[-1] for line in AWS_EXPORT_LINES], strict=True)
    )
    parents = [SUBCATEGORIES[row["ServiceSubcategory"]] for row in got]
    assert parents == [row["ServiceCategory"] for row in got]


def test_each_subcategory_is_under_its_service_category() -> None:
    """The tables agree with the spec's parents: a product code's subcategory is one of its
    category's, and so is each line category's."""
    wrong = {
        code: subcategory
        for code, subcategory in SERVICE_SUBCATEGORIES.items()
        if SUBCATEGORIES[subcategory] != SERVICE_CATEGORIES.get(code, OTHER)
    }
    assert wrong == {}
    assert [SUBCATEGORIES[row.subcategory] for row in LINE_CATEGORIES] == [
        row.category for row in LINE_CATEGORIES
    ]


def test_a_product_code_has_one_category() -> None:
    from cur_analysis.focus import service_categories

    listed = [code for codes in service_categories._BY_CATEGORY.values() for code in codes]
    assert len(listed) == len(set(listed)) == len(SERVICE_CATEGORIES)


# (product code, resource id, usage type) -> ResourceType, as AWS's export sets it.
DISTRIBUTION = "arn:aws:cloudfront::111122223333:distribution/E1H6PI5VWS3NLQ"
FUNCTION = "arn:aws:lambda:us-west-2:111122223333:function:edge"
RESOURCE_CASES = [
    ("AmazonEC2", "i-0f1a2b3c4d5e6f708", "USW2-BoxUsage:c5.xlarge", "instance"),
    ("AmazonEC2", "i-0f1a2b3c4d5e6f708", "USW2-DataTransfer-Out-Bytes", None),
    ("AmazonEC2", "i-0f1a2b3c4d5e6f708", "EBSOptimized:c5.xlarge", None),
    ("AmazonEC2", "vol-0a1b2c3d4e5f60718", "USW2-EBS:VolumeUsage.gp3", "volume"),
    ("AmazonEC2", "vol-0a1b2c3d4e5f60718", "USW2-EBS:VolumeP-IOPS.gp3", None),
    ("AmazonEC2", "arn:aws:ec2:us-west-2:111122223333:natgateway/nat-0a", "NatGateway-Hours", None),
    ("AmazonS3", "my-bucket", "USW2-Requests-Tier1", "bucket"),
    ("AmazonS3", None, "USW2-Requests-Tier1", None),
    ("AmazonCloudFront", DISTRIBUTION, "US-Requests-Tier1", "distribution"),
    ("AmazonCloudFront", FUNCTION, "Lambda-Edge-GB-Second", None),
    ("AWSLambda", FUNCTION, "USW2-Request", None),
]


def test_resource_type_where_aws_export_sets_one(spark) -> None:
    rows = [
        {c.PRODUCT_CODE: code, c.RESOURCE_ID: resource, c.USAGE_TYPE: usage_type}
        for code, resource, usage_type, _expected in RESOURCE_CASES
    ]
    got = [row["ResourceType"] for row in _focus_rows(spark, rows, ("ResourceType",)).collect()]
    assert got == [case[-1] for case in RESOURCE_CASES]


def test_resource_types_of_the_real_sample(focus_samples: FocusRun, samples_dir: Path) -> None:
    """Instance hours of i- ids, EBS volume storage of vol- ids and S3 lines with a bucket,
    counted by DuckDB over the raw month; no other line has a type."""
    counts = focus_samples.table.to_pandas()["ResourceType"].value_counts().to_dict()
    month = samples_dir / SAMPLE_MONTH
    ((instance, volume, bucket),) = _duckdb_rows(
        "select "
        "count(*) filter (where line_item_product_code = 'AmazonEC2' and "
        "  line_item_resource_id like 'i-%' and regexp_matches(line_item_usage_type, "
        "  'BoxUsage|SpotUsage|DedicatedUsage')), "
        "count(*) filter (where line_item_product_code = 'AmazonEC2' and "
        "  line_item_resource_id like 'vol-%' and line_item_usage_type like '%EBS:VolumeUsage%'), "
        "count(*) filter (where line_item_product_code = 'AmazonS3' and "
        "  line_item_resource_id <> '') "
        f"from '{month}'"
    )
    assert counts == {"instance": instance, "volume": volume, "bucket": bucket}
    assert min(instance, volume, bucket) > 0


def test_credits_are_one_time_and_priced_other(
    focus_generated: FocusRun, generated_export: Path
) -> None:
    frame = focus_generated.table.to_pandas()
    credits = frame[frame["ChargeCategory"] == "Credit"]
    files = ", ".join(f"'{path}'" for path in sorted(generated_export.rglob("*.parquet")))
    ((expected,),) = _duckdb_rows(
        f"select count(*) from read_parquet([{files}], union_by_name=true) "
        "where line_item_line_item_type = 'Credit'"
    )
    assert len(credits) == expected > 0
    assert set(credits["ChargeFrequency"]) == {"One-Time"}
    assert set(credits["PricingCategory"]) == {"Other"}


def test_unknown_units_are_counted_by_the_write_for_the_summary(spark, tmp_path: Path) -> None:
    from pyspark.sql import Observation

    rows = [("Hours",), ("Widgets",), ("Widgets",), (None,), ("Gizmos",), ("GB-Months",)]
    frame = spark.createDataFrame(rows, "PricingUnit string")
    observation = Observation("units")
    frame.observe(observation, *unknown_unit_metrics()).write.parquet(str(tmp_path / "out"))
    metrics = observation.get
    assert metrics == {"unknown_unit_rows": 3, "unknown_units": "Gizmos, Widgets"}
    line = unknown_units_note(metrics)
    assert line.startswith("focus: 3 FOCUS rows") and line.endswith(": Gizmos, Widgets")
    assert unknown_units_note({"unknown_unit_rows": 0, "unknown_units": ""}) == ""
