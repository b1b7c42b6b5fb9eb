"""The desired state: one frozen value that plan and doctor both read."""

from __future__ import annotations

import pytest

from bootstrap.config import parse_config
from bootstrap.grants import job_role_grants
from tests.bootstrap.support import config_data

CONFIG = parse_config(config_data("o-abcdefghij"))


def test_desired_state_is_one_frozen_value_for_plan_and_doctor() -> None:
    """Plan and doctor both read ``bootstrap.desired``: equal inputs give equal, hashable values."""
    import dataclasses

    from bootstrap.desired import consumer_desired, producer_desired
    from bootstrap.policies import bucket_read_statements

    org = "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5"
    producer = producer_desired(CONFIG.producer, (org,))
    assert producer == producer_desired(CONFIG.producer, (org,))
    assert hash(producer) == hash(producer_desired(CONFIG.producer, (org,)))
    assert producer.bucket_statements == bucket_read_statements(CONFIG.producer)
    assert {g.principal for g in producer.grants} == {org}
    with pytest.raises(dataclasses.FrozenInstanceError):
        producer.principals = ()  # type: ignore[misc]
    consumer = consumer_desired(CONFIG.producer, CONFIG.consumer)
    assert consumer.grants[:2] == (consumer.link_grant, consumer.database_grant)
    assert consumer.grants == job_role_grants(CONFIG.producer, CONFIG.consumer)
