"""The datasets, declared once: name, builder, how each is written, its keys and output columns.

The pipeline, the writers' caller, the published tables, the report and the benchmark all read
this table; nothing else names a dataset. A builder takes the run's ``Scope`` and returns the
``DataFrame -> DataFrame`` function that rolls the dataset up from the fine grain
(``datasets.grain``), or, for a ``from_line_items`` dataset (``focus``), maps the conformed line
items; ``tests/datasets/test_registry.py`` and ``tests/focus`` check each declaration against
the files a run writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyspark.sql.types import DataType

from cur_analysis import columns as c
from cur_analysis.cid import schema as cid_schema
from cur_analysis.cid import views as cid_views
from cur_analysis.cid.account_map import merged_account_map
from cur_analysis.cid.source import CID_SOURCE
from cur_analysis.datasets.daily_cost import daily_cost
from cur_analysis.datasets.focus import focus
from cur_analysis.datasets.grain import ACCOUNT_KEYS, DAILY_KEYS, ROLLED_UP, Transform
from cur_analysis.datasets.monthly import (
    SERVICE_KEYS,
    TAG_KEYS,
    account_monthly,
    service_monthly,
    tag_monthly,
)
from cur_analysis.datasets.savings import savings_monthly
from cur_analysis.focus.options import FocusOptions
from cur_analysis.focus.source import FOCUS_SOURCE
from cur_analysis.focus.versions import FOCUS_1_2
from cur_analysis.io.writers import SizeClass
from cur_analysis.periods import BillingPeriod

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame


@dataclass(frozen=True)
class Scope:
    """What a run knows besides the grain: the periods whose figures it has (read, or taken as
    published), the user tag columns and the FOCUS form asked for; ``published``: per dataset,
    its published rows of the periods taken as published instead of read."""

    loaded_periods: tuple[BillingPeriod, ...] = ()
    tag_columns: tuple[str, ...] = ()
    focus: FocusOptions = FocusOptions()
    cid_tags: tuple[tuple[str, str], ...] = ()  # (tag key, tag column) the cid views select
    published: Mapping[str, DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class Movers:
    """A monthly dataset whose rows are ranked as top movers: their kind and name column."""

    kind: str
    name_column: str


@dataclass(frozen=True)
class Dataset:
    """One dataset: what it is called, how it is built and written, what it holds.

    Attributes:
        name: The dataset's name: its folder, its table and its ``--datasets`` name.
        builder: Takes the run's ``Scope`` and returns the ``DataFrame -> DataFrame`` function
            that makes the dataset from the fine grain (or from the line items).
        size: How it is written (one file per period by the driver, by a shuffle, or by the
            tasks that hold the line items).
        keys: Its key columns, in output order.
        values: Its value columns, in output order.
        reads_tags: It needs the user tag columns.
        movers: How its rows rank as the report's top movers, if they do.
        from_line_items: Built from the conformed line items of the requested periods (split
            cost rows removed), read for it alone, instead of the fine grain.
        extra_columns: Source columns (name, type) it reads besides ``SOURCE_SCHEMA``.
        default: Part of a run when ``--datasets`` is not given.
        reads_previous: Its change columns need the period before each requested one.
        merge: For a dataset that is one table over every period (``account_map``), not
            published per period: merges the run's rows into the table as published (None when
            there is none yet) and returns the new table.
    """

    name: str
    builder: Callable[[Scope], Transform]
    size: SizeClass
    keys: tuple[str, ...]
    values: tuple[str, ...]
    reads_tags: bool = False
    movers: Movers | None = None
    from_line_items: bool = False
    extra_columns: tuple[tuple[str, DataType], ...] = ()
    default: bool = True
    reads_previous: bool = False
    merge: Callable[[pa.Table | None, pa.Table], pa.Table] | None = None

    @property
    def periodic(self) -> bool:
        """Whether it is published per period (every dataset but a merged table)."""
        return self.merge is None

    @property
    def columns(self) -> tuple[str, ...]:
        """Every output column, in the order written (partition keys excluded)."""
        return (*self.keys, *self.values)


ACCOUNT_MOVERS = Movers("account", c.ACCOUNT)
SERVICE_MOVERS = Movers("service", c.SERVICE)
_CHANGE = (c.PREVIOUS_AMORTIZED, c.AMORTIZED_CHANGE, c.AMORTIZED_CHANGE_RATIO)

DAILY_COST = Dataset(
    name="daily_cost",
    builder=lambda _scope: daily_cost,
    size=SizeClass.LARGE,
    keys=DAILY_KEYS,
    values=ROLLED_UP,
)
ACCOUNT_MONTHLY = Dataset(
    name="account_monthly",
    builder=lambda scope: account_monthly(
        scope.loaded_periods, scope.published.get(ACCOUNT_MONTHLY.name)
    ),
    size=SizeClass.SMALL,
    keys=(c.BILLING_PERIOD, *ACCOUNT_KEYS),
    values=(*ROLLED_UP, c.SHARE_OF_TOTAL_AMORTIZED, *_CHANGE),
    movers=ACCOUNT_MOVERS,
    reads_previous=True,
)
SERVICE_MONTHLY = Dataset(
    name="service_monthly",
    builder=lambda scope: service_monthly(
        scope.loaded_periods, scope.published.get(SERVICE_MONTHLY.name)
    ),
    size=SizeClass.SMALL,
    keys=(c.BILLING_PERIOD, *SERVICE_KEYS),
    values=(*ROLLED_UP, c.SHARE_OF_TOTAL_AMORTIZED, c.RANK, *_CHANGE),
    movers=SERVICE_MOVERS,
    reads_previous=True,
)
TAG_MONTHLY = Dataset(
    name="tag_monthly",
    builder=lambda scope: tag_monthly(scope.tag_columns),
    size=SizeClass.SMALL,
    keys=(c.BILLING_PERIOD, *TAG_KEYS),
    values=(*ROLLED_UP, c.TAG_COVERAGE),
    reads_tags=True,
)
SAVINGS_MONTHLY = Dataset(
    name="savings_monthly",
    builder=lambda _scope: savings_monthly,
    size=SizeClass.SMALL,
    keys=(c.BILLING_PERIOD, *ACCOUNT_KEYS),
    values=(
        c.ON_DEMAND_EQUIVALENT,
        c.AMORTIZED,
        c.RI_COVERED,
        c.SP_COVERED,
        c.ELIGIBLE,
        c.RI_UNUSED,
        c.SP_UNUSED,
        c.RI_USED,
        c.SP_USED,
        c.SP_TOTAL,
        c.SAVINGS,
        c.RI_TOTAL,
        c.COVERAGE,
        c.RI_UTILIZATION,
        c.SP_UTILIZATION,
    ),
)

FOCUS = Dataset(
    name="focus",
    builder=lambda scope: focus(scope.tag_columns, scope.focus),
    size=SizeClass.LINE_ITEMS,
    keys=(),
    values=(*FOCUS_1_2.columns, c.BILLING_PERIOD),  # the default version's (focus.versions)
    reads_tags=True,
    from_line_items=True,
    extra_columns=tuple(FOCUS_SOURCE.items()),
    default=False,  # a row-level copy of the CUR: opt-in
)


def _cid(
    view: Callable[..., Transform],
    columns: cid_schema.Columns,
    merge: Callable[[pa.Table | None, pa.Table], pa.Table] | None = None,
    size: SizeClass = SizeClass.LARGE,
) -> Dataset:
    """A CID view as an opt-in line-item dataset named after the view (``cur_analysis.cid``).

    A view whose rows grow with the organization (per day, hour or resource: millions of rows
    a month for a large one) is written by Spark; one that grows with its accounts or
    commitments only is collected with the small datasets.
    """
    return Dataset(
        name=view.__name__,
        builder=lambda scope: view(scope.cid_tags),
        size=size,
        keys=(),
        values=cid_schema.data_columns(columns),
        from_line_items=True,
        extra_columns=tuple(CID_SOURCE.items()),
        default=False,
        merge=merge,
    )


# CID's views, in the order they matter to the dashboards (summary_view's dataset joins the
# next two).
CID: tuple[Dataset, ...] = (
    _cid(cid_views.summary_view, cid_schema.SUMMARY_VIEW),
    _cid(cid_views.account_map, cid_schema.ACCOUNT_MAP_TABLE, merged_account_map, SizeClass.SMALL),
    _cid(cid_views.ri_sp_mapping, cid_schema.RI_SP_MAPPING, size=SizeClass.SMALL),
    _cid(cid_views.ec2_running_cost, cid_schema.EC2_RUNNING_COST),
    _cid(
        cid_views.compute_savings_plan_eligible_spend,
        cid_schema.COMPUTE_SAVINGS_PLAN_ELIGIBLE_SPEND,
    ),
    _cid(cid_views.s3_view, cid_schema.S3_VIEW),
)

REGISTRY: tuple[Dataset, ...] = (
    DAILY_COST,
    ACCOUNT_MONTHLY,
    SERVICE_MONTHLY,
    TAG_MONTHLY,
    SAVINGS_MONTHLY,
    FOCUS,
    *CID,
)
"""Every dataset, in the order a run computes and writes them."""
CID_GROUP = "cid"
GROUPS: dict[str, tuple[str, ...]] = {CID_GROUP: tuple(dataset.name for dataset in CID)}
"""Names ``--datasets`` expands to the datasets of a group: ``cid`` to the six CID views."""
SELECTABLE: tuple[str, ...] = tuple(dataset.name for dataset in REGISTRY)
"""Every dataset name ``--datasets`` accepts (besides the group names)."""
DATASETS: tuple[str, ...] = tuple(dataset.name for dataset in REGISTRY if dataset.default)
"""The default set: what a run computes unless told otherwise (``--datasets``'s default), and
what the report and the benchmark read."""
_BY_NAME = {dataset.name: dataset for dataset in REGISTRY}


def by_name(name: str) -> Dataset:
    """The dataset called ``name``.

    Args:
        name: A name of ``SELECTABLE`` (validate names first: ``RunConfig`` does).

    Returns:
        Its declaration.

    Raises:
        KeyError: No dataset has that name.
    """
    return _BY_NAME[name]


def expand_groups(names: tuple[str, ...]) -> tuple[str, ...]:
    """Dataset names with each group name replaced by its datasets.

    Args:
        names: Dataset and group names, e.g. ``("daily_cost", "cid")``.

    Returns:
        The names, each once, in the order given; a group's datasets in ``GROUPS``' order.
    """
    expanded = (member for name in names for member in GROUPS.get(name, (name,)))
    return tuple(dict.fromkeys(expanded))


def parse_datasets(text: str) -> tuple[str, ...]:
    """Dataset names from a comma-separated argument (``--datasets``).

    Args:
        text: Names separated by commas, e.g. ``"daily_cost, cid"``.

    Returns:
        The names, blanks dropped and group names expanded (``expand_groups``); unknown names
        stay for ``RunConfig`` to refuse.
    """
    return expand_groups(tuple(name.strip() for name in text.split(",") if name.strip()))
