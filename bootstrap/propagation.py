"""Waiting, bounded, until the consumer sees what the producer just shared.

RAM shares and Lake Formation cross-account grants reach the consumer asynchronously (LF
developer guide, "Accessing and viewing shared Data Catalog tables and databases"); until then
B's ``glue:GetDatabase`` with ``CatalogId`` = A answers ``EntityNotFoundException`` (or
``AccessDeniedException``) and B's grants on A's resources fail. ``apply --side both`` therefore
waits for that read to succeed before making B's grants: exponential backoff, a progress line
per attempt, and a hard limit (3 minutes by default).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from awsplan.aws import aws_call
from bootstrap.config import ProducerConfig
from bootstrap.errors import BootstrapError

NOT_VISIBLE = frozenset({"EntityNotFoundException", "AccessDeniedException"})


@dataclass(frozen=True)
class WaitPolicy:
    timeout: float = 180.0
    base_delay: float = 2.0
    max_delay: float = 20.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)


DEFAULT_WAIT = WaitPolicy()


def sees_producer_database(glue: Any, producer: ProducerConfig) -> bool:
    """Does this (consumer) Glue client see A's database? Read-only."""
    found = aws_call(
        glue.get_database,
        call="glue:GetDatabase",
        resource=f"database {producer.account_id}:{producer.database} (shared)",
        missing=NOT_VISIBLE,
        CatalogId=producer.account_id,
        Name=producer.database,
    )
    return found is not None


def wait_for(
    ready: Callable[[], bool], what: str, out: TextIO, policy: WaitPolicy | None = None
) -> int:
    """Poll ``ready`` with backoff until true; a progress line per wait; bounded.

    Returns the number of polls; raises one sentence when the limit is reached.
    """
    policy = policy or DEFAULT_WAIT
    start = policy.clock()
    delay = policy.base_delay
    polls = 1
    while not ready():
        elapsed = policy.clock() - start
        if elapsed >= policy.timeout:
            raise BootstrapError(
                f"{what} still not the case after {policy.timeout:.0f} s; check "
                "'cur-bootstrap doctor', then run apply again."
            )
        pause = min(delay, policy.max_delay, max(policy.timeout - elapsed, 0.0))
        print(
            f"waiting: {what} ({elapsed:.0f} s of {policy.timeout:.0f} s; next try in "
            f"{pause:.0f} s)",
            file=out,
        )
        policy.sleep(pause)
        delay *= 2
        polls += 1
    return polls


def wait_until_visible(
    glue: Any, producer: ProducerConfig, out: TextIO, policy: WaitPolicy | None = None
) -> int:
    """Until the consumer's Glue sees A's database (B's grants on it fail before)."""
    return wait_for(
        lambda: sees_producer_database(glue, producer),
        f"database {producer.account_id}:{producer.database} visible from the consumer",
        out,
        policy,
    )
