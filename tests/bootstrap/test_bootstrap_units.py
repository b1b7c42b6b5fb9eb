"""Pure pieces: the generic plan, policy merging, grant shapes, retries and error sentences."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsplan.aws import RetryPolicy, aws_call
from awsplan.lakeformation import Grant, LfResource, merge_listed
from awsplan.plan import Action, ActionKind, Plan, apply_plan, render_json, render_table
from bootstrap.config import parse_config
from bootstrap.errors import AwsCallError
from bootstrap.grants import JOB_ROLE_ALLOWED, job_role_grants
from bootstrap.policies import merge_statement, same_policy
from tests.bootstrap.bootstrap_support import JOB_ROLE_ARN, A, B, config_data

CONFIG = parse_config(config_data("o-abcdefghij"))


# ----------------------------------------------------------------------------- plan


def test_plan_is_immutable_and_renders_table_and_json() -> None:
    ran: list[str] = []
    first = Action.build("res one", ActionKind.CREATE, "missing", lambda: ran.append("1"), {"b": 1})
    second = Action.build("res two", ActionKind.UPDATE, "differs", lambda: ran.append("2"))
    plan = Plan.of([first, second])
    assert not plan.is_empty and len(plan) == 2 and plan.exit_code == 2
    assert Plan().is_empty and Plan().exit_code == 0
    with pytest.raises(AttributeError):
        plan.actions = ()  # type: ignore[misc]
    assert render_table(plan).splitlines() == [
        "Plan: 2 change(s) pending",
        "RESOURCE  ACTION  WHY",
        "res one   create  missing",
        "res two   update  differs",
    ]
    assert json.loads(render_json(plan)) == {
        "changes": 2,
        "actions": [
            {"resource": "res one", "action": "create", "why": "missing", "spec": {"b": 1}},
            {"resource": "res two", "action": "update", "why": "differs", "spec": {}},
        ],
    }
    assert ran == []  # rendering never runs anything
    apply_plan(plan)
    assert ran == ["1", "2"]


# ----------------------------------------------------------------------------- policies

OURS = {
    "Sid": "CurBootstrapOrganizationRead",
    "Effect": "Allow",
    "Principal": "*",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}},
}
OTHER = {"Sid": "X", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}


def test_merge_adds_ours_and_keeps_the_others_in_place() -> None:
    document = {"Id": "p", "Version": "2012-10-17", "Statement": [OTHER]}
    merged = merge_statement(document, OURS)
    assert merged == {"Id": "p", "Version": "2012-10-17", "Statement": [OTHER, OURS]}
    assert document == {"Id": "p", "Version": "2012-10-17", "Statement": [OTHER]}  # not mutated


def test_merge_is_none_when_equal_after_normalising() -> None:
    reformatted = {
        **OURS,
        "Action": ["s3:ListBucket", "s3:GetObject"],
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-abcdefghij"]}},
    }
    assert merge_statement({"Statement": [OTHER, reformatted]}, OURS) is None
    assert same_policy({"Action": "s3:GetObject"}, {"Action": ["s3:GetObject"]})
    assert not same_policy({"Action": "s3:GetObject"}, {"Action": ["s3:PutObject"]})


def test_merge_replaces_ours_by_sid_in_place() -> None:
    stale = {**OURS, "Resource": "arn:aws:s3:::b/old/*"}
    merged = merge_statement({"Statement": [stale, OTHER]}, OURS)
    assert merged is not None and merged["Statement"] == [OURS, OTHER]


def test_merge_without_existing_policy_creates_one() -> None:
    assert merge_statement(None, OURS) == {"Version": "2012-10-17", "Statement": [OURS]}


# ----------------------------------------------------------------------------- grants


def test_job_role_grant_shapes_are_exact() -> None:
    grants = job_role_grants(CONFIG.producer, CONFIG.consumer)
    assert [g.request() for g in grants] == [
        {
            "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
            "Resource": {"Database": {"CatalogId": B, "Name": "cur_org_linked"}},
            "Permissions": ["DESCRIBE"],
            "PermissionsWithGrantOption": [],
        },
        {
            "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
            "Resource": {"Database": {"CatalogId": A, "Name": "cur_org"}},
            "Permissions": ["DESCRIBE"],
            "PermissionsWithGrantOption": [],
        },
        {
            "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
            "Resource": {"Table": {"CatalogId": A, "DatabaseName": "cur_org", "TableWildcard": {}}},
            "Permissions": ["DESCRIBE", "SELECT"],
            "PermissionsWithGrantOption": [],
        },
    ]
    assert {"DESCRIBE", "SELECT"} == JOB_ROLE_ALLOWED


def test_named_tables_give_one_grant_each() -> None:
    config = parse_config(config_data("o-abcdefghij", producer={"tables": ["legacy_all", "t2"]}))
    tables = [g.resource for g in job_role_grants(config.producer, config.consumer)][2:]
    assert tables == [LfResource(A, "cur_org", table="legacy_all"), LfResource(A, "cur_org", "t2")]


def test_listed_grants_are_normalised() -> None:
    """Missing CatalogId = caller's catalog; SELECT listed as TableWithColumns+ColumnWildcard."""
    held = merge_listed(
        [
            {
                "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
                "Resource": {"Table": {"DatabaseName": "cur_org", "TableWildcard": {}}},
                "Permissions": ["DESCRIBE"],
                "PermissionsWithGrantOption": [],
            },
            {
                "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
                "Resource": {
                    "TableWithColumns": {
                        "DatabaseName": "cur_org",
                        "Name": "ALL_TABLES",
                        "ColumnWildcard": {},
                    }
                },
                "Permissions": ["SELECT"],
                "PermissionsWithGrantOption": [],
            },
        ],
        default_catalog=A,
    )
    assert held.grants == (
        Grant(
            JOB_ROLE_ARN,
            LfResource(A, "cur_org", wildcard=True),
            frozenset({"DESCRIBE", "SELECT"}),
            frozenset(),
        ),
    )


def test_missing_part_of_a_grant() -> None:
    wanted = Grant("p", LfResource(A, "d"), frozenset({"DESCRIBE"}), frozenset({"DESCRIBE"}))
    assert wanted.missing_given(wanted) is None
    partial = Grant("p", LfResource(A, "d"), frozenset({"DESCRIBE"}))
    assert wanted.missing_given(partial) == wanted
    assert (
        wanted.missing_given(Grant("p", LfResource(A, "d"), frozenset({"ALL"}), frozenset({"ALL"})))
        is None
    )


# ----------------------------------------------------------------------------- retries & errors


class Flaky:
    """Fails with the given error codes, then succeeds."""

    def __init__(self, *codes: str) -> None:
        self.codes = list(codes)
        self.calls = 0

    def __call__(self, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        self.calls += 1
        if self.codes:
            code = self.codes.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": "x"}}, "GrantPermissions")
        return {"ok": True}


def test_concurrent_modification_is_retried_with_backoff() -> None:
    slept: list[float] = []
    flaky = Flaky("ConcurrentModificationException", "ConcurrentModificationException")
    retry = RetryPolicy(attempts=4, base_delay=1.0, sleep=slept.append)
    assert aws_call(flaky, call="lakeformation:GrantPermissions", resource="r", retry=retry) == {
        "ok": True
    }
    assert flaky.calls == 3 and slept == [1.0, 2.0]


def test_retries_are_bounded() -> None:
    slept: list[float] = []
    flaky = Flaky(*["ConcurrentModificationException"] * 10)
    retry = RetryPolicy(attempts=3, base_delay=0.5, sleep=slept.append)
    with pytest.raises(AwsCallError):
        aws_call(flaky, call="lakeformation:GrantPermissions", resource="r", retry=retry)
    assert flaky.calls == 3 and slept == [0.5, 1.0]


def test_invalid_principal_is_retried_only_where_opted_in() -> None:
    slept: list[float] = []
    retry = RetryPolicy(attempts=3, sleep=slept.append)
    with pytest.raises(AwsCallError):
        aws_call(Flaky("InvalidInputException"), call="c", resource="r", retry=retry)
    assert slept == []
    flaky = Flaky("InvalidInputException")
    aws_call(flaky, call="c", resource="r", retry=retry, retry_propagation=True)
    assert flaky.calls == 2 and slept == [1.0]


def test_access_denied_becomes_one_sentence_naming_call_resource_permission() -> None:
    with pytest.raises(AwsCallError) as caught:
        aws_call(
            Flaky("AccessDeniedException"),
            call="lakeformation:GrantPermissions",
            resource="database 111111111111:cur_org",
            retry=RetryPolicy(sleep=lambda _: None),
        )
    message = str(caught.value)
    assert message.startswith(
        "lakeformation:GrantPermissions on database 111111111111:cur_org failed with "
        "AccessDeniedException: the caller likely lacks the IAM permission "
        "lakeformation:GrantPermissions"
    )
    assert message.count("\n") == 0 and message.endswith(".")


def test_expected_missing_codes_return_none() -> None:
    assert (
        aws_call(
            Flaky("NoSuchBucketPolicy"),
            call="c",
            resource="r",
            missing=frozenset({"NoSuchBucketPolicy"}),
        )
        is None
    )


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
