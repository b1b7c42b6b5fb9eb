"""The FOCUS versions ``focus`` writes, each a rule table (``rules_1_0``: 1.0; ``rules_1_2``: 1.2,
which takes 1.0's unchanged rules by name) with its Tags rule and its column order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyspark.sql import Column
from pyspark.sql.types import DataType, StringType

from cur_analysis.focus import rules_1_0 as r
from cur_analysis.focus import rules_1_2
from cur_analysis.focus.options import V1_0, V1_2
from cur_analysis.focus.rules_1_0 import Rule


@dataclass(frozen=True)
class FocusVersion:
    """One FOCUS version: its rules, its Tags rule and type, and every column in output order."""

    name: str
    rules: tuple[Rule, ...]
    tags: Callable[[Sequence[str]], Column]
    tags_type: DataType
    columns: tuple[str, ...]

    def rule(self, name: str) -> Rule:
        return next(rule for rule in self.rules if rule.name == name)


FOCUS_1_0 = FocusVersion(
    V1_0,
    r.RULES_1_0,
    r.tags,
    StringType(),
    (*(rule.name for rule in r.RULES_1_0), r.TAGS),  # Tags last
)
FOCUS_1_2 = FocusVersion(
    V1_2,
    rules_1_2.RULES_1_2,
    r.tag_map,
    r.TAG_MAP,
    tuple(name for name, _type, _nullable in rules_1_2.DICTIONARY),  # AWS's order
)
VERSIONS: dict[str, FocusVersion] = {FOCUS_1_2.name: FOCUS_1_2, FOCUS_1_0.name: FOCUS_1_0}


def _column(rule: Rule) -> Column:
    value = rule.expression()
    return (value if rule.data_type is None else value.cast(rule.data_type)).alias(rule.name)


def focus_columns(version: FocusVersion, tag_columns: Sequence[str]) -> list[Column]:
    """Every column of ``version``, aliased, in its order."""
    by_name = {rule.name: rule for rule in version.rules}
    return [
        version.tags(tag_columns).alias(r.TAGS) if name == r.TAGS else _column(by_name[name])
        for name in version.columns
    ]
