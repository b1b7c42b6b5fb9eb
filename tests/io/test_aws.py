"""The library's AWS client factory (``cur_analysis.io.aws``): the standard retry configuration."""

from __future__ import annotations

import boto3

from cur_analysis.io import aws


def test_clients_carry_the_standard_retry_configuration() -> None:
    session = boto3.Session(
        region_name="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    client = aws.client("glue", session)
    # botocore counts the first attempt too: 8 retries are 9 attempts in all.
    expected = {"mode": "standard", "total_max_attempts": 9}
    assert client.meta.config.retries == expected
    assert client.meta.region_name == "eu-west-1"
    assert aws.client_factory("s3", session)().meta.config.retries == expected
