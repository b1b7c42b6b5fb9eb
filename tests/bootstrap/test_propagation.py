"""apply --side both against propagation delays, and which errors are retried."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from awsplan import aws
from awsplan.aws import AccountClients
from awsplan.plan import apply_plan
from bootstrap import propagation
from bootstrap.cli import main
from bootstrap.consumer import plan_consumer
from bootstrap.errors import AwsCallError
from bootstrap.producer import plan_producer
from tests.bootstrap.support import DATABASE, JOB_ROLE_ARN, A, World
from tests.bootstrap.support_strict_world import STRICT


def test_apply_both_waits_until_b_sees_a_then_grants(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    STRICT.propagation_calls = 3
    path = world.write(tmp_path / "c.toml")
    assert main(["apply", "--config", str(path), "--side", "both"]) == 0
    out = capsys.readouterr().out
    waits = [line for line in out.splitlines() if line.startswith("waiting: database")]
    assert len(waits) == 3
    assert f"{A}:{DATABASE}" in waits[0]
    assert "Applied 10 change(s); re-read shows no changes pending." in out


def test_apply_both_gives_up_after_the_limit_in_one_sentence(
    world: World,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticks = iter(range(0, 10_000, 60))
    monkeypatch.setattr(
        propagation,
        "DEFAULT_WAIT",
        propagation.WaitPolicy(timeout=180, sleep=lambda _: None, clock=lambda: next(ticks)),
    )
    STRICT.propagation_calls = 1_000
    path = world.write(tmp_path / "c.toml")
    assert main(["apply", "--config", str(path), "--side", "both"]) == 1
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert "visible from the consumer still not the case after 180 s" in line
    # clock reads 0 (start), 60, 120: two waits; at 180 the limit is reached
    assert len([x for x in captured.out.splitlines() if x.startswith("waiting")]) == 2


def _apply_consumer(world: World) -> None:
    config = world.config()
    apply_plan(plan_producer(AccountClients(world.a), config.producer))
    apply_plan(plan_consumer(AccountClients(world.b), config.producer, config.consumer))


def test_invalid_principal_right_after_role_creation_is_retried(world: World) -> None:
    STRICT.new_role_failures = 2
    _apply_consumer(world)
    config = world.config()
    assert plan_consumer(AccountClients(world.b), config.producer, config.consumer).is_empty
    to_role = [c for c in STRICT.grant_calls if c["Principal"] == JOB_ROLE_ARN]
    assert len(to_role) == 3 + 2  # three grants, the first one tried twice more


def test_invalid_input_for_an_old_role_is_not_retried(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same error code for a role created long ago is a bad request: one call, one error."""
    monkeypatch.setattr(aws, "IAM_PROPAGATION_WINDOW", timedelta(0))
    STRICT.new_role_failures = 2
    with pytest.raises(AwsCallError) as raised:
        _apply_consumer(world)
    assert raised.value.code == "InvalidInputException"
    assert len([c for c in STRICT.grant_calls if c["Principal"] == JOB_ROLE_ARN]) == 1


def test_role_is_new_uses_the_create_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert aws.role_is_new(now - timedelta(seconds=30), now)
    assert not aws.role_is_new(now - timedelta(minutes=5), now)
    assert not aws.role_is_new(None, now)
