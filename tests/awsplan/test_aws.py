"""awsplan.aws: the clients' retry configuration, retries with backoff, and error sentences."""

from __future__ import annotations

from typing import Any

import pytest

from awsplan.aws import RetryPolicy, aws_call
from awsplan.errors import AwsCallError


def test_admin_clients_retry_as_the_library_does() -> None:
    from awsplan.aws import CLIENT_CONFIG
    from cur_analysis.io.aws import CLIENT_CONFIG as LIBRARY

    # botocore rewrites the retries mapping in place once a client is made (max_attempts ->
    # total_max_attempts), so compare the two rather than a literal.
    assert CLIENT_CONFIG.retries == LIBRARY.retries
    assert CLIENT_CONFIG.retries["mode"] == "standard"
    assert CLIENT_CONFIG.user_agent_extra == "cur-analysis-admin"


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
