"""Fixtures for the bootstrap tests: one moto server for the session, two accounts via STS.

moto runs in server mode (``ThreadedMotoServer`` on 127.0.0.1, a free port); boto3 reaches it
through ``AWS_ENDPOINT_URL`` like any AWS endpoint. Account A (producer) and account B (consumer)
are reached with ``sts.assume_role`` into each account (``MOTO_ACCOUNT_ID`` is never set: it
would override the assumed-role account). The server runs with the strict world's patches
(``support_strict_world.py``). State is reset before every test.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from awsplan import aws
from awsplan.aws import AccountClients
from bootstrap import propagation
from tests.bootstrap.support import REGION, A, B, World, assume, make_world
from tests.bootstrap.support_strict_world import STRICT, strict_patches
from tests.support_moto import moto_server, reset_moto


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("aws"), REGION, list(strict_patches())) as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh_moto(moto_url: str) -> None:
    """Every test starts from empty accounts and the strict world's default knobs."""
    reset_moto(moto_url)
    STRICT.reset()


@pytest.fixture(autouse=True)
def _tiny_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries and the propagation wait keep their logic but sleep for no time."""
    monkeypatch.setattr(aws, "DEFAULT_RETRY", aws.RetryPolicy(sleep=lambda _: None))
    monkeypatch.setattr(
        propagation, "DEFAULT_WAIT", propagation.WaitPolicy(timeout=5, sleep=lambda _: None)
    )


@pytest.fixture
def session_a() -> boto3.Session:
    return assume(A)


@pytest.fixture
def session_b() -> boto3.Session:
    return assume(B)


@pytest.fixture
def world(session_a: boto3.Session, session_b: boto3.Session) -> World:
    return make_world(session_a, session_b)


@pytest.fixture
def clients_a(session_a: boto3.Session) -> AccountClients:
    return AccountClients(session_a)


@pytest.fixture
def clients_b(session_b: boto3.Session) -> AccountClients:
    return AccountClients(session_b)
