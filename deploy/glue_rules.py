"""What the Glue API accepts for the job and its schedule, checked before any AWS call.

Each check returns ``None`` when the value is acceptable, or one sentence saying what is wrong and
what to use instead; ``config`` turns it into a ``[section] key: ...`` line.

Sources (cited where each rule is used):
- Glue API reference, ``Job`` / ``JobUpdate`` (``WorkerType``, ``ExecutionClass``,
  ``GlueVersion``) and the developer guide "AWS Glue worker types"
  (docs.aws.amazon.com/glue/latest/dg/worker-types.html);
- the developer guide "Time-based schedules for jobs and crawlers"
  (docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html) for cron.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Glue versions deploy targets: 5.1 (Spark 3.5.6, Python 3.11) and 6.0 (Spark 4.1.1, Python 3.13).
GLUE_VERSIONS = ("5.1", "6.0")
# AWS's own default for new jobs (docs/decisions/0010-default-runtime.md).
DEFAULT_GLUE_VERSION = "6.0"

# Worker types a Spark ETL (``glueetl``) job may use, per Glue version. The worker-types page lists
# G.1X-G.16X (general purpose) and R.1X-R.8X (memory optimized, M-DPU) for Spark jobs and marks no
# exclusion for Glue 5.1 or 6.0, so both versions take the same set today; the table is per version
# so that a later version's difference is one entry. The botocore enum lags (it lacks G.12X, G.16X
# and R.*); terraform-provider-aws adds those six to the SDK's list for the same reason.
_SPARK_WORKERS = frozenset(
    {"G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X"}
)
SPARK_WORKER_TYPES: dict[str, frozenset[str]] = {"5.1": _SPARK_WORKERS, "6.0": _SPARK_WORKERS}
# Worker types the API knows but a Spark ETL job cannot use (API reference, WorkerType).
OTHER_JOB_WORKER_TYPES = {
    "G.025X": "is for Spark streaming jobs only",
    "Z.2X": "is for Ray jobs only",
    "Standard": "is the Glue 1.0-and-earlier worker (MaxCapacity); Glue 5.1/6.0 jobs use G.1X",
}
WORKER_ORDER = ("G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X")

EXECUTION_CLASSES = ("STANDARD", "FLEX")
# FLEX: "Only jobs with Glue version 3.0 and above and command type glueetl will be allowed to set
# ExecutionClass to FLEX" (API reference, JobUpdate.ExecutionClass); Flex runs on G.1X and G.2X
# workers only (AWS Big Data blog "Introducing AWS Glue Flex jobs"; the console offers no other).
FLEX_WORKER_TYPES = ("G.1X", "G.2X")


def worker_type_problem(worker_type: str, glue_version: str) -> str | None:
    allowed = SPARK_WORKER_TYPES[glue_version]
    if worker_type in allowed:
        return None
    names = ", ".join(w for w in WORKER_ORDER if w in allowed)
    if worker_type in OTHER_JOB_WORKER_TYPES:
        why = OTHER_JOB_WORKER_TYPES[worker_type]
        return f"{worker_type!r} {why}; a Glue {glue_version} Spark job takes one of {names}"
    return f"{worker_type!r} is not a Glue {glue_version} Spark worker type: one of {names}"


def execution_class_problem(execution_class: str, worker_type: str) -> str | None:
    if execution_class == "FLEX" and worker_type not in FLEX_WORKER_TYPES:
        return (
            f"FLEX runs only on {' or '.join(FLEX_WORKER_TYPES)} workers, not {worker_type}; "
            'set worker_type = "G.1X" or "G.2X", or execution_class = "STANDARD"'
        )
    return None


# --- cron -------------------------------------------------------------------------------------
# Glue's rules ("Time-based schedules for jobs and crawlers"): cron(Minutes Hours Day-of-month
# Month Day-of-week Year), six required fields; "You can't specify the Day-of-month and
# Day-of-week fields in the same cron expression. If you specify a value (or a *) in one of the
# fields, you must use a ? (question mark) in the other."; "Cron expressions that lead to rates
# faster than 5 minutes are not supported." Glue's own error text for a rejected schedule is not
# published; the messages below quote these rules instead.

CRON_FIELDS = ("Minutes", "Hours", "Day-of-month", "Month", "Day-of-week", "Year")
CRON_EXAMPLE = "cron(0 6 * * ? *)"
MIN_INTERVAL_MINUTES = 5
_CRON_RE = re.compile(r"cron\((?P<body>[^()]*)\)")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_ITEM_RE = re.compile(r"(?P<base>\*|[A-Z0-9]+(?:-[A-Z0-9]+)?)(?:/(?P<step>\d+))?")


@dataclass(frozen=True)
class _Field:
    low: int
    high: int
    names: tuple[str, ...] = ()
    special: re.Pattern[str] | None = None  # tokens besides numbers, ranges and steps


_FIELD_RULES = (
    _Field(0, 59),
    _Field(0, 23),
    _Field(1, 31, special=re.compile(r"\?|L|LW|\d{1,2}W")),
    _Field(1, 12, _MONTHS),
    _Field(1, 7, _DAYS, special=re.compile(r"\?|L|[1-7]L")),
    _Field(1970, 2199),
)


class _CronError(ValueError):
    pass


def _value(text: str, rule: _Field, name: str) -> int:
    if text.isdigit():
        number = int(text)
    elif text in rule.names:
        number = rule.names.index(text) + rule.low
    else:
        raise _CronError(f"{name} field has {text!r}")
    if not rule.low <= number <= rule.high:
        raise _CronError(f"{name} field has {number}, outside {rule.low}-{rule.high}")
    return number


def _values(field: str, rule: _Field, name: str) -> frozenset[int] | None:
    """The values a field selects; ``None`` for a special token (``?``, ``L``, ``3W``...)."""
    selected: set[int] = set()
    for item in field.split(","):
        if rule.special is not None and rule.special.fullmatch(item):
            if "," in field:
                raise _CronError(f"{name} field {field!r} mixes {item!r} with other values")
            return None
        match = _ITEM_RE.fullmatch(item)
        if match is None:
            raise _CronError(f"{name} field has {item!r}")
        base, step = match.group("base"), match.group("step")
        if base == "*":
            first, last = rule.low, rule.high
        elif "-" in base:
            first, last = (_value(part, rule, name) for part in base.split("-"))
        else:
            first = _value(base, rule, name)
            last = rule.high if step else first
        if step is not None and int(step) == 0:
            raise _CronError(f"{name} field has a step of 0 in {item!r}")
        selected.update(range(first, last + 1, int(step or 1)))
    return frozenset(selected)


def _shortest_gap(minutes: frozenset[int], hours: frozenset[int]) -> int | None:
    """The fewest minutes between two runs in the same or consecutive hours."""
    ordered = sorted(minutes)
    gaps = [b - a for a, b in zip(ordered, ordered[1:], strict=False)]
    consecutive_hours = any((h + 1) % 24 in hours for h in hours) and len(hours) > 1
    if consecutive_hours or len(hours) == 24:
        gaps.append(60 - ordered[-1] + ordered[0])
    return min(gaps) if gaps else None


def cron_problem(expression: str) -> str | None:
    """``None`` when Glue accepts ``expression`` as a trigger schedule, else the reason."""
    shape = (
        "Glue schedules are cron(Minutes Hours Day-of-month Month Day-of-week Year), "
        f"e.g. {CRON_EXAMPLE}"
    )
    match = _CRON_RE.fullmatch(expression.strip())
    if match is None:
        return f"{expression!r} is not a Glue cron expression: {shape}"
    fields = match.group("body").upper().split()
    if len(fields) != len(CRON_FIELDS):
        return f"{expression!r} has {len(fields)} fields, Glue needs six: {shape}"
    try:
        selected = [
            _values(field, rule, name)
            for field, rule, name in zip(fields, _FIELD_RULES, CRON_FIELDS, strict=True)
        ]
    except _CronError as error:
        return f"{expression!r}: {error}; {shape}"
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return (
            f"{expression!r}: use ? in exactly one of Day-of-month and Day-of-week (Glue: you "
            "can't specify both; if you specify a value or * in one, use ? in the other), "
            f"e.g. {CRON_EXAMPLE}"
        )
    minutes, hours = selected[0], selected[1]
    assert minutes is not None and hours is not None
    gap = _shortest_gap(minutes, hours)
    if gap is not None and gap < MIN_INTERVAL_MINUTES:
        return (
            f"{expression!r} runs every {gap} minute(s); Glue does not support cron expressions "
            f"that lead to rates faster than {MIN_INTERVAL_MINUTES} minutes"
        )
    return None
