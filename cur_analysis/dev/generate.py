"""A deterministic, realistic synthetic legacy CUR export (``year=YYYY/month=M/*.parquet``).

Every line item type appears with consistent reservation and savings-plan columns, so that over a
month ``amortized + ri_sp_trueup == unblended`` holds exactly as it does in a real CUR. The schema
drifts like a real one: savings-plan columns appear from the second month (the plan is bought
then), ``*_net_*`` columns from the third (a discount starts), the ``cost_center`` tag and
``product_region_code`` from the second. Vectorised with numpy: millions of rows in seconds.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cur_analysis import columns as c
from cur_analysis.layout import Layout
from cur_analysis.periods import BillingPeriod, month_range

PAYER = "100000000001"
ACCOUNTS = ("100000000001", "200000000002", "300000000003", "400000000004", "500000000005")
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")
RI_ARNS = (
    "arn:aws:ec2:us-east-1:200000000002:reserved-instances/ri-ec2-0001",
    "arn:aws:rds:eu-west-1:300000000003:ri:ri-rds-0002",
)
SP_ARN = "arn:aws:savingsplans::100000000001:savingsplan/sp-compute-0001"
FILE_ROWS = 1_000_000


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    usage_type: str
    operation: str
    rate: float
    global_service: bool = False


SERVICES = (
    Service(
        "AmazonEC2", "Amazon Elastic Compute Cloud", "BoxUsage:m5.large", "RunInstances", 0.096
    ),
    Service(
        "AmazonRDS",
        "Amazon Relational Database Service",
        "InstanceUsage:db.r5.large",
        "CreateDBInstance",
        0.25,
    ),
    Service(
        "AmazonS3",
        "Amazon Simple Storage Service",
        "TimedStorage-ByteHrs",
        "StandardStorage",
        0.023,
    ),
    Service("AWSLambda", "AWS Lambda", "Lambda-GB-Second", "Invoke", 0.0000166667),
    Service(
        "AmazonDynamoDB", "Amazon DynamoDB", "ReadCapacityUnit-Hrs", "CommittedThroughput", 0.00013
    ),
    Service("AmazonCloudWatch", "AmazonCloudWatch", "CW:MetricMonitorUsage", "MetricStorage", 0.3),
    Service("AmazonRoute53", "Amazon Route 53", "HostedZone", "", 0.5, global_service=True),
)
SERVICE_WEIGHTS = np.array([0.34, 0.14, 0.18, 0.1, 0.1, 0.09, 0.05])
EC2, RDS, LAMBDA = SERVICES[0], SERVICES[1], SERVICES[3]
_SP_PRODUCT = Service(c.COMPUTE_SAVINGS_PLANS, "Savings Plans for AWS Compute usage", "", "", 0.0)
DISCOUNT_TYPES = (c.EDP_DISCOUNT, c.BUNDLED_DISCOUNT, c.PRIVATE_RATE_DISCOUNT)

STRING_COLUMNS = (
    c.PAYER_ACCOUNT_ID,
    c.USAGE_ACCOUNT_ID,
    c.LINE_ITEM_TYPE,
    c.PRODUCT_CODE,
    c.USAGE_TYPE,
    c.OPERATION,
    c.RESOURCE_ID,
    c.SERVICE_CODE,
    c.PRODUCT_NAME,
    c.REGION,
    c.PRICING_TERM,
    c.RI_ARN,
    "line_item_line_item_description",
    "line_item_currency_code",
)
DOUBLE_COLUMNS = (
    c.USAGE_AMOUNT,
    c.UNBLENDED_COST,
    c.PUBLIC_ON_DEMAND_COST,
    c.RI_EFFECTIVE_COST,
    c.RI_AMORTIZED_UPFRONT,
    c.RI_UNUSED_AMORTIZED_UPFRONT,
    c.RI_UNUSED_RECURRING,
    c.RI_RECURRING_FOR_USAGE,
    c.RI_AMORTIZED_UPFRONT_FOR_USAGE,
)
SP_STRING_COLUMNS = (c.SP_ARN, c.SP_OFFERING_TYPE)
SP_DOUBLE_COLUMNS = (
    c.SP_EFFECTIVE_COST,
    c.SP_TOTAL_COMMITMENT,
    c.SP_USED_COMMITMENT,
    c.SP_AMORTIZED_UPFRONT,
    c.SP_RECURRING_COMMITMENT,
)
NET_PAIRS = {  # net column -> the gross column it discounts
    c.NET_UNBLENDED_COST: c.UNBLENDED_COST,
    c.RI_NET_EFFECTIVE_COST: c.RI_EFFECTIVE_COST,
    c.RI_NET_UNUSED_AMORTIZED_UPFRONT: c.RI_UNUSED_AMORTIZED_UPFRONT,
    c.RI_NET_UNUSED_RECURRING: c.RI_UNUSED_RECURRING,
    c.RI_NET_AMORTIZED_UPFRONT: c.RI_AMORTIZED_UPFRONT,
    c.SP_NET_EFFECTIVE_COST: c.SP_EFFECTIVE_COST,
    c.SP_NET_AMORTIZED_UPFRONT: c.SP_AMORTIZED_UPFRONT,
    c.SP_NET_RECURRING_COMMITMENT: c.SP_RECURRING_COMMITMENT,
}
NET_DISCOUNT = 0.05
TAGS = {
    "resource_tags_user_environment": (("prod", "staging", "dev"), 0.15),
    "resource_tags_user_team": (("platform", "data", "web", "ml", "finance"), 0.3),
    "resource_tags_user_cost_center": (("cc-100", "cc-200", "cc-300"), 0.4),
}


@dataclass(frozen=True)
class Drift:
    """Which optional column groups a month has (how the legacy schema drifts)."""

    savings_plans: bool
    net_columns: bool
    cost_center_tag: bool
    region_code: bool


def drift_of(index: int) -> Drift:
    """Month 0 has no SP columns; SP and cost_center from month 1; net columns from month 2."""
    return Drift(
        savings_plans=index >= 1,
        net_columns=index >= 2,
        cost_center_tag=index >= 1,
        region_code=index >= 1,
    )


class _Block:
    """Columns of one group of line items, filled with the CUR's defaults ("" and 0.0)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.columns: dict[str, np.ndarray] = {}

    def set(self, name: str, values: object) -> None:
        array = np.asarray(values)
        self.columns[name] = np.broadcast_to(array, (self.n,)) if array.ndim == 0 else array

    def get(self, name: str, default: object) -> np.ndarray:
        if name in self.columns:
            return self.columns[name]
        return np.full(self.n, default, dtype=object if isinstance(default, str) else float)


def _usage_times(rng: np.random.Generator, period: BillingPeriod, n: int) -> np.ndarray:
    days = calendar.monthrange(period.year, period.month)[1]
    start = np.datetime64(datetime(period.year, period.month, 1), "ms")
    hours = rng.integers(0, days * 24, size=n)
    return start + hours.astype("timedelta64[h]").astype("timedelta64[ms]")


def _usage_block(
    rng: np.random.Generator,
    period: BillingPeriod,
    n: int,
    services: Sequence[Service],
    weights: np.ndarray | None = None,
) -> tuple[_Block, np.ndarray]:
    """Hourly usage lines of ``services``; returns the block and its on-demand cost."""
    block = _Block(n)
    pick = rng.choice(len(services), size=n, p=weights)
    codes = np.array([s.code for s in services], dtype=object)[pick]
    rates = np.array([s.rate for s in services])[pick]
    is_global = np.array([s.global_service for s in services])[pick]
    amount = np.round(rng.lognormal(mean=1.0, sigma=1.0, size=n), 6)
    if LAMBDA in services:
        amount = np.where(codes == LAMBDA.code, amount * 20000, amount)
    on_demand = np.round(amount * rates, 8)
    regions = np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), size=n)]
    block.set(c.PAYER_ACCOUNT_ID, PAYER)
    block.set(
        c.USAGE_ACCOUNT_ID, np.array(ACCOUNTS, dtype=object)[rng.integers(0, len(ACCOUNTS), size=n)]
    )
    block.set(c.USAGE_START, _usage_times(rng, period, n))
    block.set(c.PRODUCT_CODE, codes)
    block.set(c.SERVICE_CODE, codes)
    block.set(c.PRODUCT_NAME, np.array([s.name for s in services], dtype=object)[pick])
    block.set(c.USAGE_TYPE, np.array([s.usage_type for s in services], dtype=object)[pick])
    block.set(c.OPERATION, np.array([s.operation for s in services], dtype=object)[pick])
    block.set(c.REGION, np.where(is_global, "", regions))
    block.set(
        c.RESOURCE_ID, np.char.add("res-", rng.integers(0, 500, size=n).astype(str)).astype(object)
    )
    block.set(c.USAGE_AMOUNT, amount)
    block.set(c.PUBLIC_ON_DEMAND_COST, on_demand)
    return block, on_demand


def _on_demand_usage(rng: np.random.Generator, period: BillingPeriod, n: int) -> _Block:
    block, on_demand = _usage_block(rng, period, n, SERVICES, SERVICE_WEIGHTS)
    spot = (block.columns[c.PRODUCT_CODE] == EC2.code) & (rng.random(n) < 0.15)
    block.set(c.USAGE_TYPE, np.where(spot, "SpotUsage:m5.large", block.columns[c.USAGE_TYPE]))
    block.set(c.LINE_ITEM_TYPE, c.USAGE)
    block.set(c.PRICING_TERM, np.where(spot, "Spot", "OnDemand"))
    block.set(c.UNBLENDED_COST, np.where(spot, np.round(on_demand * 0.3, 8), on_demand))
    return block


def _split_cost_rows(rng: np.random.Generator, period: BillingPeriod, n: int) -> _Block:
    """EKS split-cost rows: they repeat cost already on EC2 lines and must never be summed."""
    block, on_demand = _usage_block(rng, period, n, (EC2,))
    block.set(c.LINE_ITEM_TYPE, c.USAGE)
    block.set(c.OPERATION, "EKSPod-EC2")
    block.set(c.PRICING_TERM, "OnDemand")
    block.set(c.UNBLENDED_COST, on_demand)
    return block


def _reserved(
    rng: np.random.Generator, period: BillingPeriod, n: int, first_month: bool
) -> list[_Block]:
    """DiscountedUsage lines of two RIs, one RIFee line each, and the upfront Fee when bought."""
    block, on_demand = _usage_block(rng, period, n, (EC2, RDS))
    ri = np.where(block.columns[c.PRODUCT_CODE] == EC2.code, 0, 1)
    upfront_part = np.round(on_demand * 0.25, 8)
    recurring_part = np.round(on_demand * 0.35, 8)
    block.set(c.LINE_ITEM_TYPE, c.DISCOUNTED_USAGE)
    block.set(c.PRICING_TERM, "Reserved")
    block.set(c.RI_ARN, np.array(RI_ARNS, dtype=object)[ri])
    block.set(c.RI_AMORTIZED_UPFRONT_FOR_USAGE, upfront_part)
    block.set(c.RI_RECURRING_FOR_USAGE, recurring_part)
    block.set(c.RI_EFFECTIVE_COST, upfront_part + recurring_part)
    blocks = [block]
    for index, arn in enumerate(RI_ARNS):
        used_upfront = float(upfront_part[ri == index].sum())
        used_recurring = float(recurring_part[ri == index].sum())
        utilization = 0.9 + 0.02 * index
        amortized_upfront = round(used_upfront / utilization, 6)
        recurring_fee = round(used_recurring / utilization, 6)
        blocks.append(
            _ri_fee(
                period, index, arn, amortized_upfront, recurring_fee, used_upfront, used_recurring
            )
        )
        if first_month:
            blocks.append(_ri_upfront_fee(period, index, arn, amortized_upfront * 12))
    return blocks


def _fee_block(period: BillingPeriod, service: Service, account: str, line_type: str) -> _Block:
    block = _Block(1)
    block.set(c.PAYER_ACCOUNT_ID, PAYER)
    block.set(c.USAGE_ACCOUNT_ID, account)
    block.set(
        c.USAGE_START, np.array([np.datetime64(datetime(period.year, period.month, 1), "ms")])
    )
    block.set(c.PRODUCT_CODE, service.code)
    block.set(c.SERVICE_CODE, service.code)
    block.set(c.PRODUCT_NAME, service.name)
    block.set(c.LINE_ITEM_TYPE, line_type)
    return block


def _ri_fee(
    period: BillingPeriod,
    index: int,
    arn: str,
    amortized_upfront: float,
    recurring_fee: float,
    used_upfront: float,
    used_recurring: float,
) -> _Block:
    service = (EC2, RDS)[index]
    block = _fee_block(period, service, ACCOUNTS[1 + index], c.RI_FEE)
    block.set(c.RI_ARN, arn)
    block.set(c.REGION, REGIONS[index])
    block.set(c.UNBLENDED_COST, recurring_fee)
    block.set(c.RI_AMORTIZED_UPFRONT, amortized_upfront)
    block.set(c.RI_UNUSED_AMORTIZED_UPFRONT, round(amortized_upfront - used_upfront, 8))
    block.set(c.RI_UNUSED_RECURRING, round(recurring_fee - used_recurring, 8))
    return block


def _ri_upfront_fee(period: BillingPeriod, index: int, arn: str, upfront: float) -> _Block:
    block = _fee_block(period, (EC2, RDS)[index], ACCOUNTS[1 + index], c.FEE)
    block.set(c.RI_ARN, arn)
    block.set(c.UNBLENDED_COST, round(upfront, 6))
    block.set(
        "line_item_line_item_description", "Sign up charge for subscription: reserved instance"
    )
    return block


def _savings_plan(
    rng: np.random.Generator, period: BillingPeriod, n: int, purchase_month: bool
) -> list[_Block]:
    """Covered usage, its negation, one recurring fee per day, and the upfront fee when bought."""
    covered, on_demand = _usage_block(rng, period, n, (EC2, LAMBDA))
    effective = np.round(on_demand * 0.72, 8)
    covered.set(c.LINE_ITEM_TYPE, c.SP_COVERED_USAGE)
    covered.set(c.PRICING_TERM, "OnDemand")
    covered.set(c.UNBLENDED_COST, on_demand)
    covered.set(c.SP_ARN, SP_ARN)
    covered.set(c.SP_EFFECTIVE_COST, effective)
    negation = _Block(n)
    negation.columns = dict(covered.columns)
    negation.set(c.LINE_ITEM_TYPE, c.SP_NEGATION)
    negation.set(c.UNBLENDED_COST, -on_demand)
    negation.set(c.SP_EFFECTIVE_COST, 0.0)
    days = calendar.monthrange(period.year, period.month)[1]
    day_of_row = (
        (
            covered.columns[c.USAGE_START]
            - np.datetime64(datetime(period.year, period.month, 1), "ms")
        )
        .astype("timedelta64[D]")
        .astype(int)
    )
    used_per_day = np.bincount(day_of_row, weights=effective, minlength=days)
    commitment = round(float(used_per_day.max()) / 0.97, 6) if n else 1.0
    fees = _Block(days)
    fees.set(c.PAYER_ACCOUNT_ID, PAYER)
    fees.set(c.USAGE_ACCOUNT_ID, PAYER)
    fees.set(
        c.USAGE_START,
        np.datetime64(datetime(period.year, period.month, 1), "ms")
        + np.arange(days).astype("timedelta64[D]").astype("timedelta64[ms]"),
    )
    fees.set(c.PRODUCT_CODE, "ComputeSavingsPlans")
    fees.set(c.SERVICE_CODE, "ComputeSavingsPlans")
    fees.set(c.PRODUCT_NAME, "Savings Plans for AWS Compute usage")
    fees.set(c.LINE_ITEM_TYPE, c.SP_RECURRING_FEE)
    fees.set(c.SP_ARN, SP_ARN)
    fees.set(c.SP_TOTAL_COMMITMENT, commitment)
    fees.set(c.SP_USED_COMMITMENT, np.round(used_per_day, 8))
    fees.set(c.SP_AMORTIZED_UPFRONT, round(commitment * 0.5, 6))
    fees.set(c.SP_RECURRING_COMMITMENT, commitment - round(commitment * 0.5, 6))
    fees.set(c.UNBLENDED_COST, commitment - round(commitment * 0.5, 6))
    blocks = [covered, negation, fees]
    if purchase_month:
        upfront = _fee_block(
            period,
            Service("ComputeSavingsPlans", "Savings Plans for AWS Compute usage", "", "", 0.0),
            PAYER,
            c.SP_UPFRONT_FEE,
        )
        upfront.set(c.SP_ARN, SP_ARN)
        upfront.set(c.UNBLENDED_COST, round(commitment * 0.5 * 365, 6))
        blocks.append(upfront)
    for block in blocks:
        block.set(c.SP_OFFERING_TYPE, "ComputeSavingsPlans")
    return blocks


def _adjustments(
    rng: np.random.Generator, period: BillingPeriod, drift: Drift, index: int
) -> list[_Block]:
    """Credits, refunds, tax and discounts: a few lines per month, as in a real bill.

    EDP discounts come with the net columns (the discount is what makes net differ from gross);
    a Compute Savings Plan refund arrives the month after the plan's upfront fee.
    """
    kinds = [
        (c.CREDIT, 6, -80.0, -5.0),
        (c.REFUND, 3, -30.0, -1.0),
        (c.TAX, 5, 1.0, 40.0),
        (c.BUNDLED_DISCOUNT, 2, -15.0, -2.0),
        (c.PRIVATE_RATE_DISCOUNT, 2, -25.0, -5.0),
    ]
    if drift.net_columns:
        kinds.append((c.EDP_DISCOUNT, 4, -120.0, -30.0))
    blocks = []
    for line_type, count, low, high in kinds:
        for _ in range(count):
            service = SERVICES[int(rng.integers(0, len(SERVICES)))]
            account = ACCOUNTS[int(rng.integers(0, len(ACCOUNTS)))]
            block = _fee_block(period, service, account, line_type)
            block.set(c.UNBLENDED_COST, round(float(rng.uniform(low, high)), 4))
            blocks.append(block)
    if drift.savings_plans and index == 2:
        refund = _fee_block(period, _SP_PRODUCT, PAYER, c.REFUND)
        refund.set(c.UNBLENDED_COST, -250.0)
        refund.set("line_item_line_item_description", "Refund of Savings Plan upfront fee")
        blocks.append(refund)
    return blocks


def _counts(rows: int) -> tuple[int, int, int, int]:
    """Rows for on-demand usage, reserved usage, SP-covered usage (each has a negation), split."""
    reserved = rows // 12
    covered = rows // 14
    split = rows // 100
    return rows - reserved - 2 * covered - split, reserved, covered, split


def month_table(period: BillingPeriod, index: int, rows: int, seed: int) -> pa.Table:
    """One month of the synthetic CUR as an Arrow table, columns as the month's drift has them."""
    rng = np.random.default_rng([seed, period.year, period.month])
    drift = drift_of(index)
    on_demand_rows, reserved_rows, covered_rows, split_rows = _counts(rows)
    blocks = [
        _on_demand_usage(rng, period, on_demand_rows),
        _split_cost_rows(rng, period, split_rows),
    ]
    blocks += _reserved(rng, period, reserved_rows, first_month=index == 0)
    if drift.savings_plans:
        blocks += _savings_plan(rng, period, covered_rows, purchase_month=index == 1)
    else:
        blocks.append(_on_demand_usage(rng, period, 2 * covered_rows))
    blocks += _adjustments(rng, period, drift, index)
    return _to_table(blocks, period, drift, rng)


def _concat(blocks: list[_Block], name: str, default: object) -> np.ndarray:
    return np.concatenate([block.get(name, default) for block in blocks])


def _string_array(values: np.ndarray) -> pa.Array:
    uniques, codes = np.unique(values.astype(str), return_inverse=True)
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(uniques)
    ).dictionary_decode()


def _to_table(
    blocks: list[_Block], period: BillingPeriod, drift: Drift, rng: np.random.Generator
) -> pa.Table:
    start = datetime(period.year, period.month, 1, tzinfo=UTC)
    n = sum(block.n for block in blocks)
    times = _concat(blocks, c.USAGE_START, np.datetime64("NaT")).astype("datetime64[ms]")
    columns: dict[str, pa.Array] = {
        "bill_billing_period_start_date": pa.array(
            np.full(n, np.datetime64(start.replace(tzinfo=None), "ms")),
            pa.timestamp("ms", tz="UTC"),
        ),
        c.USAGE_START: pa.array(times, pa.timestamp("ms", tz="UTC")),
        "line_item_usage_end_date": pa.array(
            times + np.timedelta64(1, "h"), pa.timestamp("ms", tz="UTC")
        ),
    }
    strings = STRING_COLUMNS + (SP_STRING_COLUMNS if drift.savings_plans else ())
    doubles = DOUBLE_COLUMNS + (SP_DOUBLE_COLUMNS if drift.savings_plans else ())
    for name in strings:
        default = "USD" if name == "line_item_currency_code" else ""
        columns[name] = _string_array(_concat(blocks, name, default))
    if drift.region_code:
        columns[c.REGION_CODE] = columns[c.REGION]
    numbers = {name: _concat(blocks, name, 0.0).astype(float) for name in doubles}
    for name, values in numbers.items():
        columns[name] = pa.array(values, pa.float64())
    if drift.net_columns:
        # Discount lines carry no net cost: the discount is already inside the net columns.
        is_discount = np.isin(_concat(blocks, c.LINE_ITEM_TYPE, "").astype(str), DISCOUNT_TYPES)
        for net, gross in NET_PAIRS.items():
            if gross in numbers:
                net_values = np.round(numbers[gross] * (1 - NET_DISCOUNT), 8)
                columns[net] = pa.array(np.where(is_discount, 0.0, net_values), pa.float64())
    for tag, (values, untagged_share) in TAGS.items():
        if tag == "resource_tags_user_cost_center" and not drift.cost_center_tag:
            continue
        picked = np.array(values, dtype=object)[rng.integers(0, len(values), size=n)]
        columns[tag] = _string_array(np.where(rng.random(n) < untagged_share, "", picked))
    return pa.table(columns)


CUR2_FIXED_DOUBLES = (*SP_DOUBLE_COLUMNS, *NET_PAIRS)
CUR2_FIXED_STRINGS = SP_STRING_COLUMNS
FORMATS = ("legacy", "cur2")


def _map_array(rows: list[list[tuple[str, str]]]) -> pa.Array:
    offsets = np.cumsum([0] + [len(entries) for entries in rows]).astype(np.int32)
    keys = [key for entries in rows for key, _ in entries]
    items = [value for entries in rows for _, value in entries]
    return pa.MapArray.from_arrays(
        pa.array(offsets), pa.array(keys, pa.string()), pa.array(items, pa.string())
    )


def to_cur2(legacy: pa.Table) -> pa.Table:
    """The same line items in CUR 2.0 (Data Exports) form: fixed schema, map columns.

    Product attributes without a column of their own go to ``product``, user tags to
    ``resource_tags`` (keys ``user_<key>``, only where a value is set), and every savings-plan,
    reservation and net column is present (null where the legacy month lacked it).
    """
    names = legacy.column_names
    tags = [name for name in names if name.startswith(c.USER_TAG_PREFIX)]
    product_names = legacy.column(c.PRODUCT_NAME).to_pylist()
    regions = legacy.column(c.REGION).to_pylist()
    product = _map_array(
        [[("product_name", n), ("region", r)] for n, r in zip(product_names, regions, strict=True)]
    )
    tag_values = [legacy.column(tag).to_pylist() for tag in tags]
    resource_tags = _map_array(
        [
            [
                ("user_" + tag[len(c.USER_TAG_PREFIX) :], value)
                for tag, value in zip(tags, row, strict=True)
                if value
            ]
            for row in zip(*tag_values, strict=True)
        ]
        if tags
        else [[] for _ in range(legacy.num_rows)]
    )
    dropped = {c.PRODUCT_NAME, c.REGION, *tags}
    columns = {name: legacy.column(name) for name in names if name not in dropped}
    columns[c.REGION_CODE] = legacy.column(c.REGION)
    for name in CUR2_FIXED_DOUBLES:
        columns.setdefault(name, pa.nulls(legacy.num_rows, pa.float64()))
    for name in CUR2_FIXED_STRINGS:
        columns.setdefault(name, pa.nulls(legacy.num_rows, pa.string()))
    payer = legacy.column(c.PAYER_ACCOUNT_ID).to_pylist()
    columns[c.CUR2_MARKER] = pa.array([f"payer {p}" for p in payer], pa.string())
    columns["line_item_usage_account_name"] = pa.array(
        [f"account {a}" for a in legacy.column(c.USAGE_ACCOUNT_ID).to_pylist()], pa.string()
    )
    columns[c.CUR2_PRODUCT] = product
    columns[c.CUR2_RESOURCE_TAGS] = resource_tags
    columns[c.CUR2_COST_CATEGORY] = _map_array([[] for _ in range(legacy.num_rows)])
    return pa.table(columns)


def _partition_folder(output: Path, period: BillingPeriod, fmt: str) -> Path:
    return output / (Layout.CUR2 if fmt == "cur2" else Layout.LEGACY).folder(period)


def generate(
    output: str | Path,
    start: BillingPeriod,
    months: int,
    rows_per_month: int,
    seed: int = 7,
    fmt: str = "legacy",
) -> list[Path]:
    """Write ``months`` months of synthetic CUR under ``output``; returns the files.

    ``fmt`` is ``legacy`` (``year=/month=`` folders) or ``cur2`` (``BILLING_PERIOD=`` folders);
    both hold the same line items for the same seed.
    """
    if months < 1 or rows_per_month < 200:
        raise ValueError("generate needs at least 1 month and 200 rows per month")
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    written = []
    for index, period in enumerate(month_range(start, months)):
        table = month_table(period, index, rows_per_month, seed)
        if fmt == "cur2":
            table = to_cur2(table)
        folder = _partition_folder(Path(output), period, fmt)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.parquet"):
            old.unlink()
        for part, offset in enumerate(range(0, table.num_rows, FILE_ROWS)):
            path = folder / f"cur-{part + 1:05d}.snappy.parquet"
            pq.write_table(table.slice(offset, FILE_ROWS), path, compression="snappy")
            written.append(path)
    return written
