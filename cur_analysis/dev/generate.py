"""A deterministic, realistic synthetic legacy CUR export (``year=YYYY/month=M/*.parquet``).

Every line item type appears with consistent reservation and savings-plan columns, so that over a
month ``amortized + ri_sp_trueup == unblended`` holds exactly as it does in a real CUR. The schema
drifts like a real one: savings-plan columns appear from the second month (the plan is bought
then), ``*_net_*`` columns from the third (a discount starts), the ``cost_center`` tag and
``product_region_code`` from the second.

Usage lines belong to resources, and a resource keeps its account, service, region and tags for
every month (as in a real CUR); fees, credits and tax carry none. A ``Profile`` sets the shape: the
default is a small organization (5 accounts, 7 services, 3 tag keys), ``large`` one whose CUR has
400 accounts, 60 services and 12 tag keys over 200,000 resources.

Fast because no Python object is touched per row: a string column is built as integer codes into
a short tuple of labels and written as a Parquet dictionary column; a month is written one file
(``FILE_ROWS`` line items) at a time, its fee lines with the last file.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
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
# Commitment terms, as the CUR writes them (ri_sp_mapping reads them).
RI_END_TIMES = ("2025-02-28T23:59:59.000Z", "2026-06-30T12:00:00.000Z")
RI_TERMS = ("1yr", "3yr")
RI_OFFERING_CLASS, RI_PURCHASE_OPTION = "standard", "Partial Upfront"
SP_END_TIME = "2027-03-31T23:59:59.000Z"
SP_TERM, SP_PAYMENT = "3yr", "Partial Upfront"
SP_OFFERING = "ComputeSavingsPlans"
RI_END_TIME = "reservation_end_time"
LEASE_LENGTH = "pricing_lease_contract_length"
OFFERING_CLASS = "pricing_offering_class"
PURCHASE_OPTION = "pricing_purchase_option"
SP_END = "savings_plan_end_time"
SP_PURCHASE_TERM = "savings_plan_purchase_term"
SP_PAYMENT_OPTION = "savings_plan_payment_option"
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
SERVICE_WEIGHTS = (0.34, 0.14, 0.18, 0.1, 0.1, 0.09, 0.05)
# Indices into every profile's services (a profile's services start with SERVICES).
EC2, RDS, LAMBDA = 0, 1, 3
SP_PRODUCT = Service(c.COMPUTE_SAVINGS_PLANS, "Savings Plans for AWS Compute usage", "", "", 0.0)
# Fargate tasks (Compute Savings Plan eligible): a few lines a month, in the fee file.
FARGATE = Service(
    "AmazonECS",
    "Amazon Elastic Container Service",
    "USE1-Fargate-vCPU-Hours:perCPU",
    "FargateTask",
    0.04048,
)
FARGATE_ROWS = 48
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
    RI_END_TIME,
    LEASE_LENGTH,
    OFFERING_CLASS,
    PURCHASE_OPTION,
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
SP_STRING_COLUMNS = (c.SP_ARN, c.SP_OFFERING_TYPE, SP_END, SP_PURCHASE_TERM, SP_PAYMENT_OPTION)
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


@dataclass(frozen=True)
class TagKey:
    """A user tag key: its values, the share of resources without it, the month it appears."""

    column: str
    values: tuple[str, ...]
    untagged_share: float
    from_month: int = 0


@dataclass(frozen=True)
class Profile:
    """The shape of the organization whose CUR is generated."""

    name: str
    accounts: tuple[str, ...]
    services: tuple[Service, ...]
    service_weights: tuple[float, ...]
    resources: int
    tags: tuple[TagKey, ...]


def _numbered(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}-{index:05d}" for index in range(count))


def _large_profile() -> Profile:
    """400 accounts, 60 services, 12 tag keys of 10 to 10,000 values over 200,000 resources."""
    extra = tuple(
        Service(f"AWSService{i:02d}", f"AWS Service {i:02d}", f"Usage{i:02d}", f"Op{i:02d}", 0.01)
        for i in range(60 - len(SERVICES))
    )
    tail = np.array([1.0 / (rank + 2) for rank in range(len(extra))])
    weights = (*[0.6 * w for w in SERVICE_WEIGHTS], *(0.4 * tail / tail.sum()))
    keys = (  # (key, values, share of resources untagged)
        ("environment", 10, 0.1),
        ("business_unit", 20, 0.15),
        ("team", 50, 0.2),
        ("cost_center", 300, 0.3),
        ("compliance", 10, 0.8),
        ("data_class", 30, 0.5),
        ("version", 100, 0.6),
        ("owner", 1000, 0.4),
        ("application", 2000, 0.35),
        ("project", 5000, 0.45),
        ("service_name", 10000, 0.5),
        ("customer", 10000, 0.7),
    )
    return Profile(
        name="large",
        accounts=ACCOUNTS + tuple(str(600000000000 + i) for i in range(400 - len(ACCOUNTS))),
        services=SERVICES + extra,
        service_weights=weights,
        resources=200_000,
        tags=tuple(
            TagKey(c.USER_TAG_PREFIX + key, _numbered(key, count), untagged)
            for key, count, untagged in keys
        ),
    )


DEFAULT = Profile(
    name="default",
    accounts=ACCOUNTS,
    services=SERVICES,
    service_weights=SERVICE_WEIGHTS,
    resources=500,
    tags=(
        TagKey("resource_tags_user_environment", ("prod", "staging", "dev"), 0.15),
        TagKey("resource_tags_user_team", ("platform", "data", "web", "ml", "finance"), 0.3),
        TagKey("resource_tags_user_cost_center", ("cc-100", "cc-200", "cc-300"), 0.4, 1),
    ),
)
PROFILES = {profile.name: profile for profile in (DEFAULT, _large_profile())}


@dataclass(frozen=True)
class Drift:
    """Which optional column groups a month has (how the legacy schema drifts)."""

    savings_plans: bool
    net_columns: bool
    region_code: bool


def drift_of(index: int) -> Drift:
    """Month 0 has no SP columns; SP and region code from month 1; net columns from month 2."""
    return Drift(savings_plans=index >= 1, net_columns=index >= 2, region_code=index >= 1)


@dataclass(frozen=True)
class Strings:
    """A string column as codes into labels (no Python string per row)."""

    codes: np.ndarray
    labels: tuple[str, ...]

    @classmethod
    def constant(cls, value: str, n: int) -> Strings:
        return cls(np.zeros(n, dtype=np.int32), (value,))

    def where(self, mask: np.ndarray, value: str) -> Strings:
        """``value`` where ``mask``, else this column's value."""
        codes = np.where(mask, len(self.labels), self.codes).astype(np.int32)
        return Strings(codes, (*self.labels, value))

    def arrow(self) -> pa.Array:
        return pa.DictionaryArray.from_arrays(
            pa.array(self.codes, pa.int32()), pa.array(self.labels, pa.string())
        )


def _concat_strings(parts: Sequence[Strings]) -> Strings:
    """One column of several blocks: the labels merged, each block's codes mapped onto them."""
    merged: dict[str, int] = {}
    codes = []
    for part in parts:
        mapping = np.array([merged.setdefault(label, len(merged)) for label in part.labels])
        codes.append(mapping[part.codes].astype(np.int32))
    return Strings(np.concatenate(codes), tuple(merged))


@dataclass(frozen=True)
class Resources:
    """Every resource of the organization, sorted by service: what it is and how it is tagged."""

    service_start: np.ndarray  # first resource of each service
    service_count: np.ndarray
    account: np.ndarray
    region: np.ndarray  # index into REGIONS, len(REGIONS) for a global service's ""
    tags: tuple[np.ndarray, ...]  # per profile tag key: value index, -1 untagged

    def pick(self, rng: np.random.Generator, service: np.ndarray) -> np.ndarray:
        """A resource of each line's service (uniformly within the service)."""
        offset = (rng.random(service.size) * self.service_count[service]).astype(np.int64)
        return self.service_start[service] + offset


def resources_of(profile: Profile, seed: int) -> Resources:
    """The profile's resources, the same for every month of one seed."""
    rng = np.random.default_rng([seed, 0])
    weights = np.array(profile.service_weights)
    count = np.maximum(1, np.round(profile.resources * weights / weights.sum())).astype(np.int64)
    service = np.repeat(np.arange(len(profile.services)), count)
    n = service.size
    accounts = len(profile.accounts)
    account_weights = 1.0 / (np.arange(accounts) + 5.0)
    account = rng.choice(accounts, size=n, p=account_weights / account_weights.sum())
    is_global = np.array([s.global_service for s in profile.services])[service]
    region = np.where(is_global, len(REGIONS), rng.integers(0, len(REGIONS), size=n))
    tags = []
    for key in profile.tags:
        # Skewed: a few values carry many resources, as a real organization's tags do.
        value = (len(key.values) * rng.random(n) ** 2).astype(np.int64)
        tags.append(np.where(rng.random(n) < key.untagged_share, -1, value))
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    return Resources(start, count, account, region, tuple(tags))


@dataclass(frozen=True)
class World:
    """What every month shares: the profile and its resources."""

    profile: Profile
    resources: Resources

    def service_strings(self, service: np.ndarray, field: str) -> Strings:
        labels = tuple(getattr(s, field) for s in self.profile.services)
        return Strings(service.astype(np.int32), labels)


class _Block:
    """Columns of one group of line items; absent columns get the CUR's defaults ("" and 0.0)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.columns: dict[str, object] = {}
        self.resource = np.full(n, -1, dtype=np.int64)

    def set(self, name: str, values: object) -> None:
        if isinstance(values, str):
            self.columns[name] = Strings.constant(values, self.n)
        elif isinstance(values, Strings):
            self.columns[name] = values
        else:
            array = np.asarray(values)
            self.columns[name] = np.broadcast_to(array, (self.n,)) if array.ndim == 0 else array

    def strings(self, name: str, default: str = "") -> Strings:
        found = self.columns.get(name)
        return found if isinstance(found, Strings) else Strings.constant(default, self.n)

    def numbers(self, name: str, default: float = 0.0) -> np.ndarray:
        found = self.columns.get(name)
        return np.asarray(found) if found is not None else np.full(self.n, default)

    def copy(self) -> _Block:
        block = _Block(self.n)
        block.columns = dict(self.columns)
        block.resource = self.resource
        return block


def _month_start(period: BillingPeriod) -> np.datetime64:
    return np.datetime64(datetime(period.year, period.month, 1), "ms")


def _usage_times(rng: np.random.Generator, period: BillingPeriod, n: int) -> np.ndarray:
    days = calendar.monthrange(period.year, period.month)[1]
    hours = rng.integers(0, days * 24, size=n)
    return _month_start(period) + hours.astype("timedelta64[h]").astype("timedelta64[ms]")


def _usage_block(
    world: World,
    rng: np.random.Generator,
    period: BillingPeriod,
    n: int,
    services: Sequence[int],
    weights: Sequence[float] | None = None,
) -> tuple[_Block, np.ndarray, np.ndarray]:
    """Hourly usage lines of resources of ``services`` (indices into the profile's services);
    returns the block, its on-demand cost and each line's service index."""
    block = _Block(n)
    p = None if weights is None else np.array(weights) / np.sum(weights)
    service = np.asarray(services)[rng.choice(len(services), size=n, p=p)]
    resource = world.resources.pick(rng, service)
    rates = np.array([s.rate for s in world.profile.services])[service]
    amount = np.round(rng.lognormal(mean=1.0, sigma=1.0, size=n), 6)
    amount = np.where(service == LAMBDA, amount * 20000, amount)
    on_demand = np.round(amount * rates, 8)
    block.resource = resource
    block.set(c.PAYER_ACCOUNT_ID, PAYER)
    block.set(
        c.USAGE_ACCOUNT_ID, Strings(world.resources.account[resource], world.profile.accounts)
    )
    block.set(c.USAGE_START, _usage_times(rng, period, n))
    block.set(c.PRODUCT_CODE, world.service_strings(service, "code"))
    block.set(c.SERVICE_CODE, world.service_strings(service, "code"))
    block.set(c.PRODUCT_NAME, world.service_strings(service, "name"))
    block.set(c.USAGE_TYPE, world.service_strings(service, "usage_type"))
    block.set(c.OPERATION, world.service_strings(service, "operation"))
    block.set(c.REGION, Strings(world.resources.region[resource], (*REGIONS, "")))
    block.set(c.USAGE_AMOUNT, amount)
    block.set(c.PUBLIC_ON_DEMAND_COST, on_demand)
    return block, on_demand, service


def _on_demand_usage(
    world: World, rng: np.random.Generator, period: BillingPeriod, n: int
) -> _Block:
    services = range(len(world.profile.services))
    block, on_demand, service = _usage_block(
        world, rng, period, n, services, world.profile.service_weights
    )
    spot = (service == EC2) & (rng.random(n) < 0.15)
    block.set(c.USAGE_TYPE, block.strings(c.USAGE_TYPE).where(spot, "SpotUsage:m5.large"))
    block.set(c.LINE_ITEM_TYPE, c.USAGE)
    block.set(c.PRICING_TERM, Strings(spot.astype(np.int32), ("OnDemand", "Spot")))
    block.set(c.UNBLENDED_COST, np.where(spot, np.round(on_demand * 0.3, 8), on_demand))
    return block


def _split_cost_rows(
    world: World, rng: np.random.Generator, period: BillingPeriod, n: int
) -> _Block:
    """EKS split-cost rows: they repeat cost already on EC2 lines and must never be summed."""
    block, on_demand, _ = _usage_block(world, rng, period, n, (EC2,))
    block.set(c.LINE_ITEM_TYPE, c.USAGE)
    block.set(c.OPERATION, "EKSPod-EC2")
    block.set(c.PRICING_TERM, "OnDemand")
    block.set(c.UNBLENDED_COST, on_demand)
    return block


def _reserved_usage(
    world: World, rng: np.random.Generator, period: BillingPeriod, n: int, used: np.ndarray
) -> _Block:
    """DiscountedUsage lines of the two RIs; adds each RI's used upfront and recurring to
    ``used`` (one row per RI) for its RIFee line."""
    block, on_demand, service = _usage_block(world, rng, period, n, (EC2, RDS))
    ri = np.where(service == EC2, 0, 1)
    upfront_part = np.round(on_demand * 0.25, 8)
    recurring_part = np.round(on_demand * 0.35, 8)
    block.set(c.LINE_ITEM_TYPE, c.DISCOUNTED_USAGE)
    block.set(c.PRICING_TERM, "Reserved")
    block.set(c.RI_ARN, Strings(ri.astype(np.int32), RI_ARNS))
    block.set(LEASE_LENGTH, Strings(ri.astype(np.int32), RI_TERMS))
    block.set(OFFERING_CLASS, RI_OFFERING_CLASS)
    block.set(PURCHASE_OPTION, RI_PURCHASE_OPTION)
    block.set(c.RI_AMORTIZED_UPFRONT_FOR_USAGE, upfront_part)
    block.set(c.RI_RECURRING_FOR_USAGE, recurring_part)
    block.set(c.RI_EFFECTIVE_COST, upfront_part + recurring_part)
    for index in range(len(RI_ARNS)):
        used[index] += (upfront_part[ri == index].sum(), recurring_part[ri == index].sum())
    return block


def _reservation_fees(period: BillingPeriod, used: np.ndarray, first_month: bool) -> list[_Block]:
    """One RIFee line per RI (used at 90% and 92%), and the upfront Fee the month it is bought."""
    blocks = []
    for index, arn in enumerate(RI_ARNS):
        used_upfront, used_recurring = (float(value) for value in used[index])
        utilization = 0.9 + 0.02 * index
        amortized_upfront = round(used_upfront / utilization, 6)
        recurring_fee = round(used_recurring / utilization, 6)
        service = SERVICES[(EC2, RDS)[index]]
        block = _fee_block(period, service, ACCOUNTS[1 + index], c.RI_FEE)
        block.set(c.RI_ARN, arn)
        block.set(RI_END_TIME, RI_END_TIMES[index])
        block.set(OFFERING_CLASS, RI_OFFERING_CLASS)
        block.set(c.REGION, REGIONS[index])
        block.set(c.UNBLENDED_COST, recurring_fee)
        block.set(c.RI_AMORTIZED_UPFRONT, amortized_upfront)
        block.set(c.RI_UNUSED_AMORTIZED_UPFRONT, round(amortized_upfront - used_upfront, 8))
        block.set(c.RI_UNUSED_RECURRING, round(recurring_fee - used_recurring, 8))
        blocks.append(block)
        if first_month:
            fee = _fee_block(period, service, ACCOUNTS[1 + index], c.FEE)
            fee.set(c.RI_ARN, arn)
            fee.set(c.UNBLENDED_COST, round(amortized_upfront * 12, 6))
            fee.set(
                "line_item_line_item_description",
                "Sign up charge for subscription: reserved instance",
            )
            blocks.append(fee)
    return blocks


def _fee_block(period: BillingPeriod, service: Service, account: str, line_type: str) -> _Block:
    block = _Block(1)
    block.set(c.PAYER_ACCOUNT_ID, PAYER)
    block.set(c.USAGE_ACCOUNT_ID, account)
    block.set(c.USAGE_START, np.array([_month_start(period)]))
    block.set(c.PRODUCT_CODE, service.code)
    block.set(c.SERVICE_CODE, service.code)
    block.set(c.PRODUCT_NAME, service.name)
    block.set(c.LINE_ITEM_TYPE, line_type)
    return block


def _covered_usage(
    world: World, rng: np.random.Generator, period: BillingPeriod, n: int, used: np.ndarray
) -> list[_Block]:
    """SP-covered usage and its negation; adds the covered effective cost per day to ``used``."""
    covered, on_demand, _ = _usage_block(world, rng, period, n, (EC2, LAMBDA))
    effective = np.round(on_demand * 0.72, 8)
    covered.set(c.LINE_ITEM_TYPE, c.SP_COVERED_USAGE)
    covered.set(c.PRICING_TERM, "OnDemand")
    covered.set(c.UNBLENDED_COST, on_demand)
    _set_plan_terms(covered)
    covered.set(c.SP_EFFECTIVE_COST, effective)
    negation = covered.copy()
    negation.set(c.LINE_ITEM_TYPE, c.SP_NEGATION)
    negation.set(c.UNBLENDED_COST, -on_demand)
    negation.set(c.SP_EFFECTIVE_COST, 0.0)
    starts = np.asarray(covered.columns[c.USAGE_START])
    day = (starts - _month_start(period)).astype("timedelta64[D]").astype(np.int64)
    used += np.bincount(day, weights=effective, minlength=used.size)
    return [covered, negation]


def _set_plan_terms(block: _Block) -> None:
    """The plan's ARN, end time and terms, on every line of the plan."""
    block.set(c.SP_ARN, SP_ARN)
    block.set(c.SP_OFFERING_TYPE, SP_OFFERING)
    block.set(SP_END, SP_END_TIME)
    block.set(SP_PURCHASE_TERM, SP_TERM)
    block.set(SP_PAYMENT_OPTION, SP_PAYMENT)


def _fargate_usage(period: BillingPeriod, seed: int) -> _Block:
    """Fargate task hours (their own random stream, so the other lines stay as they were)."""
    rng = np.random.default_rng([seed, period.year, period.month, 99])
    block = _Block(FARGATE_ROWS)
    block.set(c.PAYER_ACCOUNT_ID, PAYER)
    block.set(c.USAGE_ACCOUNT_ID, ACCOUNTS[2])
    block.set(c.USAGE_START, _usage_times(rng, period, FARGATE_ROWS))
    for name, value in (
        (c.PRODUCT_CODE, FARGATE.code),
        (c.SERVICE_CODE, FARGATE.code),
        (c.PRODUCT_NAME, FARGATE.name),
        (c.USAGE_TYPE, FARGATE.usage_type),
        (c.OPERATION, FARGATE.operation),
        (c.REGION, REGIONS[0]),
        (c.LINE_ITEM_TYPE, c.USAGE),
        (c.PRICING_TERM, "OnDemand"),
    ):
        block.set(name, value)
    amount = np.round(rng.uniform(0.5, 4.0, size=FARGATE_ROWS), 6)
    block.set(c.USAGE_AMOUNT, amount)
    block.set(c.UNBLENDED_COST, np.round(amount * FARGATE.rate, 8))
    block.set(c.PUBLIC_ON_DEMAND_COST, np.round(amount * FARGATE.rate, 8))
    return block


def _savings_plan_fees(
    period: BillingPeriod, used_per_day: np.ndarray, purchase_month: bool
) -> list[_Block]:
    """One recurring fee per day (the commitment is the busiest day's use at 97%), and the
    upfront fee the month the plan is bought."""
    days = used_per_day.size
    commitment = round(float(used_per_day.max()) / 0.97, 6) if used_per_day.any() else 1.0
    upfront_share = round(commitment * 0.5, 6)
    fees = _Block(days)
    fees.set(c.PAYER_ACCOUNT_ID, PAYER)
    fees.set(c.USAGE_ACCOUNT_ID, PAYER)
    fees.set(
        c.USAGE_START,
        _month_start(period) + np.arange(days).astype("timedelta64[D]").astype("timedelta64[ms]"),
    )
    fees.set(c.PRODUCT_CODE, SP_PRODUCT.code)
    fees.set(c.SERVICE_CODE, SP_PRODUCT.code)
    fees.set(c.PRODUCT_NAME, SP_PRODUCT.name)
    fees.set(c.LINE_ITEM_TYPE, c.SP_RECURRING_FEE)
    _set_plan_terms(fees)
    fees.set(c.SP_TOTAL_COMMITMENT, commitment)
    fees.set(c.SP_USED_COMMITMENT, np.round(used_per_day, 8))
    fees.set(c.SP_AMORTIZED_UPFRONT, upfront_share)
    fees.set(c.SP_RECURRING_COMMITMENT, commitment - upfront_share)
    fees.set(c.UNBLENDED_COST, commitment - upfront_share)
    blocks = [fees]
    if purchase_month:
        upfront = _fee_block(period, SP_PRODUCT, PAYER, c.SP_UPFRONT_FEE)
        _set_plan_terms(upfront)
        upfront.set(c.UNBLENDED_COST, round(upfront_share * 365, 6))
        blocks.append(upfront)
    return blocks


def _adjustments(
    world: World, rng: np.random.Generator, period: BillingPeriod, drift: Drift, index: int
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
    accounts = world.profile.accounts
    blocks = []
    for line_type, count, low, high in kinds:
        for _ in range(count):
            service = SERVICES[int(rng.integers(0, len(SERVICES)))]
            account = accounts[int(rng.integers(0, len(accounts)))]
            block = _fee_block(period, service, account, line_type)
            block.set(c.UNBLENDED_COST, round(float(rng.uniform(low, high)), 4))
            blocks.append(block)
    if drift.savings_plans and index == 2:
        refund = _fee_block(period, SP_PRODUCT, PAYER, c.REFUND)
        refund.set(c.UNBLENDED_COST, -250.0)
        refund.set("line_item_line_item_description", "Refund of Savings Plan upfront fee")
        blocks.append(refund)
        # The wording AWS uses for an upfront fee refund (CID's summary_view tests it).
        upfront_refund = _fee_block(period, SP_PRODUCT, PAYER, c.REFUND)
        upfront_refund.set(c.UNBLENDED_COST, -120.0)
        upfront_refund.set(
            "line_item_line_item_description", "Refund for one-time fee for Savings Plan ID sp-1"
        )
        blocks.append(upfront_refund)
    return blocks


def _counts(rows: int) -> tuple[int, int, int, int]:
    """Rows for on-demand usage, reserved usage, SP-covered usage (each has a negation), split."""
    reserved = rows // 12
    covered = rows // 14
    split = rows // 100
    return rows - reserved - 2 * covered - split, reserved, covered, split


def _file_sizes(rows: int) -> list[int]:
    """Line items per file: ``rows`` split evenly into files of at most ``FILE_ROWS``."""
    files = -(-rows // FILE_ROWS)
    return [len(part) for part in np.array_split(np.arange(rows), files)]


def month_tables(
    period: BillingPeriod, index: int, rows: int, seed: int, world: World | None = None
) -> Iterator[pa.Table]:
    """One month of the synthetic CUR, one Arrow table per file (the fee lines in the last)."""
    world = world or World(DEFAULT, resources_of(DEFAULT, seed))
    drift = drift_of(index)
    days = calendar.monthrange(period.year, period.month)[1]
    ri_used = np.zeros((len(RI_ARNS), 2))
    sp_used = np.zeros(days)
    sizes = _file_sizes(rows)
    for part, size in enumerate(sizes):
        rng = np.random.default_rng([seed, period.year, period.month, part])
        on_demand_rows, reserved_rows, covered_rows, split_rows = _counts(size)
        blocks = [
            _on_demand_usage(world, rng, period, on_demand_rows),
            _split_cost_rows(world, rng, period, split_rows),
            _reserved_usage(world, rng, period, reserved_rows, ri_used),
        ]
        if drift.savings_plans:
            blocks += _covered_usage(world, rng, period, covered_rows, sp_used)
        else:
            blocks.append(_on_demand_usage(world, rng, period, 2 * covered_rows))
        if part == len(sizes) - 1:
            blocks += _reservation_fees(period, ri_used, first_month=index == 0)
            if drift.savings_plans:
                blocks += _savings_plan_fees(period, sp_used, purchase_month=index == 1)
            blocks += _adjustments(world, rng, period, drift, index)
            blocks.append(_fargate_usage(period, seed))
        yield _to_table(world, blocks, period, drift, index)


def month_table(period: BillingPeriod, index: int, rows: int, seed: int) -> pa.Table:
    """One month of the default profile as one Arrow table (small months, e.g. in tests)."""
    return pa.concat_tables(month_tables(period, index, rows, seed), promote_options="default")


def _to_table(
    world: World, blocks: list[_Block], period: BillingPeriod, drift: Drift, index: int
) -> pa.Table:
    n = sum(block.n for block in blocks)
    times = np.concatenate([block.numbers(c.USAGE_START) for block in blocks]).astype(
        "datetime64[ms]"
    )
    stamp = pa.timestamp("ms", tz="UTC")
    columns: dict[str, pa.Array] = {
        "bill_billing_period_start_date": pa.array(np.full(n, _month_start(period)), stamp),
        c.USAGE_START: pa.array(times, stamp),
        "line_item_usage_end_date": pa.array(times + np.timedelta64(1, "h"), stamp),
    }
    resource = np.concatenate([block.resource for block in blocks])
    strings = STRING_COLUMNS + (SP_STRING_COLUMNS if drift.savings_plans else ())
    for name in strings:
        default = "USD" if name == "line_item_currency_code" else ""
        if name == c.RESOURCE_ID:
            columns[name] = _resource_ids(resource)
            continue
        columns[name] = _concat_strings([block.strings(name, default) for block in blocks]).arrow()
    if drift.region_code:
        columns[c.REGION_CODE] = columns[c.REGION]
    doubles = DOUBLE_COLUMNS + (SP_DOUBLE_COLUMNS if drift.savings_plans else ())
    numbers = {name: np.concatenate([block.numbers(name) for block in blocks]) for name in doubles}
    for name, values in numbers.items():
        columns[name] = pa.array(values, pa.float64())
    if drift.net_columns:
        # Discount lines carry no net cost: the discount is already inside the net columns.
        line_types = _concat_strings([block.strings(c.LINE_ITEM_TYPE) for block in blocks])
        discount_codes = [i for i, t in enumerate(line_types.labels) if t in DISCOUNT_TYPES]
        is_discount = np.isin(line_types.codes, discount_codes)
        for net, gross in NET_PAIRS.items():
            if gross in numbers:
                net_values = np.round(numbers[gross] * (1 - NET_DISCOUNT), 8)
                columns[net] = pa.array(np.where(is_discount, 0.0, net_values), pa.float64())
    for key, values in zip(world.profile.tags, world.resources.tags, strict=True):
        if index >= key.from_month:
            code = np.where(resource >= 0, values[np.maximum(resource, 0)], -1)
            labels = ("", *key.values)
            columns[key.column] = Strings((code + 1).astype(np.int32), labels).arrow()
    return pa.table(columns)


def _resource_ids(resource: np.ndarray) -> pa.Array:
    """``res-NNNNNN`` per line, "" for lines without a resource; a dictionary of the ids used."""
    used, codes = np.unique(resource, return_inverse=True)
    labels = ["" if r < 0 else f"res-{r:06d}" for r in used.tolist()]
    return Strings(codes.astype(np.int32), tuple(labels)).arrow()


CUR2_FIXED_DOUBLES = (*SP_DOUBLE_COLUMNS, *NET_PAIRS)
CUR2_FIXED_STRINGS = SP_STRING_COLUMNS
FORMATS = ("legacy", "cur2")


def _plain(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A string column without its dictionary (map items and concatenation need plain ones)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.dictionary_decode() if pa.types.is_dictionary(array.type) else array


def _interleaved_map(
    n: int, keys: Sequence[str], values: Sequence[pa.Array], present: np.ndarray
) -> pa.Array:
    """Per row, ``{key: value}`` for the keys ``present`` (an n x len(keys) mask), in key order."""
    rows, which = np.nonzero(present)  # row-major: by row, then key
    offsets = np.concatenate([[0], np.cumsum(present.sum(axis=1))]).astype(np.int32)
    key_array = Strings(which.astype(np.int32), tuple(keys)).arrow().dictionary_decode()
    stacked = (
        pa.concat_arrays([_plain(value) for value in values])
        if values
        else pa.array([], pa.string())
    )
    items = stacked.take(pa.array(which * n + rows, pa.int64()))
    return pa.MapArray.from_arrays(pa.array(offsets), key_array, items)


def to_cur2(legacy: pa.Table) -> pa.Table:
    """The same line items in CUR 2.0 (Data Exports) form: fixed schema, map columns.

    Product attributes without a column of their own go to ``product``, user tags to
    ``resource_tags`` (keys ``user_<key>``, only where a value is set), and every savings-plan,
    reservation and net column is present (null where the legacy month lacked it).
    """
    n = legacy.num_rows
    names = legacy.column_names
    tags = [name for name in names if name.startswith(c.USER_TAG_PREFIX)]
    product_columns = [legacy.column(c.PRODUCT_NAME), legacy.column(c.REGION)]
    product = _interleaved_map(
        n, ("product_name", "region"), product_columns, np.ones((n, 2), dtype=bool)
    )
    tag_values = [_plain(legacy.column(tag)) for tag in tags]
    tagged = (
        np.column_stack([pc.not_equal(v, "").to_numpy(zero_copy_only=False) for v in tag_values])
        if tags
        else np.zeros((n, 0), dtype=bool)
    )
    keys = ["user_" + tag[len(c.USER_TAG_PREFIX) :] for tag in tags]
    resource_tags = _interleaved_map(n, keys, tag_values, tagged)
    dropped = {c.PRODUCT_NAME, c.REGION, *tags}
    columns = {name: legacy.column(name) for name in names if name not in dropped}
    columns[c.REGION_CODE] = legacy.column(c.REGION)
    for name in CUR2_FIXED_DOUBLES:
        columns.setdefault(name, pa.nulls(n, pa.float64()))
    for name in CUR2_FIXED_STRINGS:
        columns.setdefault(name, pa.nulls(n, pa.string()))
    payer = _plain(legacy.column(c.PAYER_ACCOUNT_ID))
    account = _plain(legacy.column(c.USAGE_ACCOUNT_ID))
    columns[c.CUR2_MARKER] = pc.binary_join_element_wise("payer ", payer, "")
    columns["line_item_usage_account_name"] = pc.binary_join_element_wise("account ", account, "")
    columns[c.CUR2_PRODUCT] = product
    columns[c.CUR2_RESOURCE_TAGS] = resource_tags
    columns[c.CUR2_COST_CATEGORY] = _interleaved_map(n, (), [], np.zeros((n, 0), dtype=bool))
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
    profile: str = DEFAULT.name,
) -> list[Path]:
    """Write ``months`` months of synthetic CUR under ``output``; returns the files.

    ``fmt`` is ``legacy`` (``year=/month=`` folders) or ``cur2`` (``BILLING_PERIOD=`` folders);
    both hold the same line items for the same seed. ``profile`` is a key of ``PROFILES``.
    """
    if months < 1 or rows_per_month < 200:
        raise ValueError("generate needs at least 1 month and 200 rows per month")
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    if profile not in PROFILES:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    chosen = PROFILES[profile]
    world = World(chosen, resources_of(chosen, seed))
    written: list[Path] = []
    # Writing a file (compression, statistics) takes as long as making the next one: one thread
    # writes while the next table is built, one table waiting at most.
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future[None] | None = None
        for index, period in enumerate(month_range(start, months)):
            folder = _partition_folder(Path(output), period, fmt)
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.parquet"):
                old.unlink()
            for part, table in enumerate(month_tables(period, index, rows_per_month, seed, world)):
                path = folder / f"cur-{part + 1:05d}.snappy.parquet"
                if pending is not None:
                    pending.result()
                pending = writer.submit(_write, to_cur2(table) if fmt == "cur2" else table, path)
                written.append(path)
        if pending is not None:
            pending.result()
    return written


def _write(table: pa.Table, path: Path) -> None:
    # store_schema=False: the files hold plain strings (dictionary-encoded pages), as a CUR
    # export's do, not an Arrow dictionary type.
    pq.write_table(table, path, compression="snappy", store_schema=False)
