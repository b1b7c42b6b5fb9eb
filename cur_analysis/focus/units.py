"""PricingUnit and ConsumedUnit as AWS's native FOCUS export spells them.

Data, not code. ``CUR_UNITS`` maps each ``pricing_unit`` spelling of the CUR to the FOCUS
UnitFormat spelling AWS's export writes; ``USAGE_TYPE_UNITS`` names the unit of a line whose CUR
unit is blank (free tier, $0 lines, Spot hours, reservation fees) from its usage type, first
match first. Sources:

- AWS's export: a month of AWS's native FOCUS 1.0 export, anonymized, that the FinOps Foundation
  publishes (github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS-Sample-Data,
  ``FOCUS-1.0/focus_sample.csv``, its 942 AWS rows, CC BY 4.0): ``_AWS_SPELLINGS``, each keyed
  by the CUR's spelling of the same unit (the public CUR samples, AWS's price list units);
- FOCUS 1.2 UnitFormat (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec v1.2,
  ``specification/attributes/unit_format.md``) for CUR units that sample does not show:
  ``_UNIT_FORMAT_SPELLINGS``, our spelling, with plural count units, ``-Months``/``-Hours``
  for time and data sizes abbreviated, as AWS spells the units it does show.

AWS keeps two spellings the validator's UnitFormat pattern rejects (``Lambda-GB-Seconds``,
``GiB/Second-Months``): the export's spelling wins, so converted months union with native ones.
A CUR unit not listed passes through unchanged (``unknown_unit_metrics`` counts such rows).
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.focus import source as s

# CUR pricing_unit -> AWS's FOCUS spelling, for the units AWS's export shows.
_AWS_SPELLINGS: dict[str, str] = {
    "Hrs": "Hours",
    "GB-Mo": "GB-Months",
    "GB": "GB",
    "Requests": "Requests",
    "Request": "Requests",
    "API Request": "API Requests",
    "API Requests": "API Requests",
    "IOPS-Mo": "IOPS-Months",
    "IOs": "IOs",
    "Events": "Events",
    "Keys": "Keys",
    "Metrics": "Metrics",
    "Alarms": "Alarms",
    "Queries": "Queries",
    "Seconds": "Seconds",
    "vCPU-Hours": "vCPU-Hours",
    "LCU-Hrs": "LCU-Hours",
    "Lambda-GB-Second": "Lambda-GB-Seconds",
    "GiBps-mo": "GiB/Second-Months",
    "ReadCapacityUnit-Hrs": "ReadCapacityUnit-Hours",
    "WriteCapacityUnit-Hrs": "WriteCapacityUnit-Hours",
    "ReadRequestUnits": "ReadRequestUnits",
    "WriteRequestUnits": "WriteRequestUnits",
    "ACU-Hr": "ACU-Hours",
    "StateTransitions": "StateTransitions",
}

# CUR pricing_unit -> our UnitFormat spelling, for units AWS's export does not show.
_UNIT_FORMAT_SPELLINGS: dict[str, str] = {
    "Obj-Month": "Obj-Months",
    "DPU-Hour": "DPU-Hours",
    "hours": "Hours",
    "GB-Hours": "GB-Hours",
    "User": "Users",
    "days": "Days",
    "Terabytes": "TB",
    "64K-Chunks": "Chunks",  # EventBridge bills events by the 64 KB chunk
    "ConfigurationItemRecorded": "ConfigurationItemRecorded",
    "ActiveConfigRules": "ActiveConfigRules",
    "Dashboards": "Dashboards",
    "Operations": "Operations",
    "HostedZone": "HostedZone",
}

CUR_UNITS: dict[str, str] = {**_AWS_SPELLINGS, **_UNIT_FORMAT_SPELLINGS}
# Every spelling a known unit is written as.
FOCUS_UNITS: frozenset[str] = frozenset(CUR_UNITS.values())

# A part of line_item_usage_type -> the unit of a line whose pricing_unit is blank.
USAGE_TYPE_UNITS: tuple[tuple[str, str], ...] = (
    ("Lambda-GB-Second", "Lambda-GB-Seconds"),
    ("ReadCapacityUnit-Hrs", "ReadCapacityUnit-Hours"),
    ("WriteCapacityUnit-Hrs", "WriteCapacityUnit-Hours"),
    ("EBS:VolumeP-IOPS", "IOPS-Months"),
    ("EBS:VolumeP-Throughput", "GiB/Second-Months"),
    ("EBS:VolumeIOUsage", "IOs"),
    ("StorageIOUsage", "IOs"),
    ("EBS:VolumeUsage", "GB-Months"),
    ("EBS:SnapshotUsage", "GB-Months"),
    ("TimedStorage", "GB-Months"),
    ("ByteHrs", "GB-Months"),
    ("Catalog-Storage", "Obj-Months"),
    ("DPU-Hour", "DPU-Hours"),
    ("DataTransfer", "GB"),
    ("-Bytes", "GB"),
    ("ReadRequestUnits", "ReadRequestUnits"),
    ("WriteRequestUnits", "WriteRequestUnits"),
    ("Request", "Requests"),
    ("64K-Chunks", "Chunks"),
    ("Events", "Events"),
    ("MetricMonitorUsage", "Metrics"),
    ("AlarmMonitorUsage", "Alarms"),
    ("KMS-Keys", "Keys"),
    ("StateTransition", "StateTransitions"),
    ("HostedZone", "HostedZone"),
    ("BoxUsage", "Hours"),
    ("SpotUsage", "Hours"),
    ("HeavyUsage", "Hours"),
    ("DedicatedUsage", "Hours"),
    ("InstanceUsage", "Hours"),
    ("EBSOptimized", "Hours"),
    ("LCUUsage", "LCU-Hours"),
    ("LoadBalancerUsage", "Hours"),
    ("-Hours", "Hours"),
    ("-Hrs", "Hours"),
)

# The metrics ``unknown_unit_metrics`` names.
UNKNOWN_UNIT_ROWS = "unknown_unit_rows"
UNKNOWN_UNITS = "unknown_units"


def _spelled(unit: Column) -> Column:
    """``unit`` in AWS's spelling; unchanged when ``CUR_UNITS`` does not list it."""
    pairs = [F.lit(item) for pair in sorted(CUR_UNITS.items()) for item in pair]
    return F.coalesce(F.element_at(F.create_map(*pairs), unit), unit)


def _from_usage_type() -> Column:
    """The unit ``USAGE_TYPE_UNITS`` gives the line's usage type; null when none matches."""
    usage_type = F.col(c.USAGE_TYPE)
    (first_part, first_unit), *others = USAGE_TYPE_UNITS
    inferred = F.when(usage_type.contains(first_part), F.lit(first_unit))
    for part, unit in others:
        inferred = inferred.when(usage_type.contains(part), F.lit(unit))
    return inferred


def pricing_unit() -> Column:
    """The line's unit in AWS's FOCUS spelling: the CUR's ``pricing_unit`` mapped; where that is
    blank and the line has a quantity, the unit its usage type names (AWS's export has no
    quantity without a unit)."""
    inferred = F.when(F.col(c.USAGE_AMOUNT).isNotNull(), _from_usage_type())
    return F.coalesce(_spelled(F.col(s.PRICING_UNIT)), inferred)


def unknown_unit_metrics(unit_column: str = "PricingUnit") -> list[Column]:
    """Aggregates for ``DataFrame.observe`` on FOCUS rows: how many rows have a unit no CUR unit
    maps to (written as the CUR spells it), and those units, comma-separated. Observed on the
    rows a run writes, the write counts them: no second scan."""
    unit = F.col(unit_column)
    unknown = unit.isNotNull() & ~unit.isin(*sorted(FOCUS_UNITS))
    units = F.array_sort(F.collect_set(F.when(unknown, unit)))
    return [
        F.count_if(unknown).alias(UNKNOWN_UNIT_ROWS),
        F.concat_ws(", ", units).alias(UNKNOWN_UNITS),
    ]


def unknown_units_note(metrics: Mapping[str, object]) -> str:
    """The run's summary line of the FOCUS rows whose unit this module does not map (written as
    the CUR spells it: add the unit here), from the observed ``unknown_unit_metrics``; "" when
    there are none."""
    rows = int(metrics.get(UNKNOWN_UNIT_ROWS) or 0)  # type: ignore[call-overload]
    if not rows:
        return ""
    return (
        f"focus: {rows:,} FOCUS rows with a unit cur_analysis/focus/units.py does not map, "
        f"kept as the CUR spells it: {metrics.get(UNKNOWN_UNITS)}"
    )
