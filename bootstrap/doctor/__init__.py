"""``doctor``: check every link of the chain, read-only; one pass/fail line per check with a fix.

Facts are gathered once per side (``facts``), then each side's checks judge them
(``producer_checks``, ``consumer_checks``); a check is a value (``awsplan.checks.Check``).
"""

from __future__ import annotations

from typing import Any

from awsplan.aws import AccountClients
from awsplan.checks import Check, all_passed
from bootstrap.config import Config
from bootstrap.doctor.consumer_checks import consumer_checks
from bootstrap.doctor.facts import location_registered, read_consumer_facts, read_producer_facts
from bootstrap.doctor.producer_checks import producer_checks
from cur_analysis.periods import BillingPeriod

__all__ = ["Check", "all_passed", "run_doctor"]


def run_doctor(
    config: Config,
    *,
    producer: AccountClients | None,
    consumer: AccountClients | None,
    catalog_reader: Any = None,
    period: BillingPeriod | None = None,
) -> tuple[Check, ...]:
    """All checks for the sides whose clients are given. Read-only."""
    checks: list[Check] = []
    registered: bool | None = None
    if producer is not None:
        facts = read_producer_facts(producer, config.producer)
        registered = location_registered(facts, config.producer)
        checks.extend(producer_checks(facts, config.producer, config.consumer))
    if consumer is not None:
        cfacts = read_consumer_facts(
            consumer,
            config.producer,
            config.consumer,
            catalog_reader=catalog_reader,
            period=period,
        )
        checks.extend(
            consumer_checks(
                cfacts, config.producer, config.consumer, registered=registered, period=period
            )
        )
    return tuple(checks)
