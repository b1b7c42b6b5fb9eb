"""Fixtures for the bootstrap tests: one moto server for the session, two accounts via STS.

moto runs in server mode (``ThreadedMotoServer`` on 127.0.0.1, a free port); boto3 reaches it
through ``AWS_ENDPOINT_URL`` like any AWS endpoint. Account A (producer) and account B (consumer)
are reached with ``sts.assume_role`` into each account (``MOTO_ACCOUNT_ID`` is never set: it
would override the assumed-role account). State is reset before every test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import boto3
import pytest
from bootstrap_support import CATALOG_ARN_RE, REGION, A, B, World, assume, make_world
from moto.ram.models import ResourceShare

from bootstrap.aws import AccountClients
from tests.moto_support import moto_server, reset_moto


def _accept_catalog_arns(original: Callable[..., None]) -> Callable[..., None]:
    """moto 5.2 rejects the real Glue catalog ARN ``arn:aws:glue:<region>:<acct>:catalog``
    (its ARN pattern wants ``/`` or ``:`` after the resource type), although RAM shares it.
    Let that one ARN through and validate the rest with moto's own code."""

    def add_resources(self: ResourceShare, resource_arns: list[str]) -> None:
        catalogs = [a for a in resource_arns if CATALOG_ARN_RE.fullmatch(a)]
        original(self, [a for a in resource_arns if a not in catalogs])
        self.resource_arns.extend(catalogs)

    return add_resources


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    patches = [(ResourceShare, "add_resources", _accept_catalog_arns(ResourceShare.add_resources))]
    with moto_server(tmp_path_factory.mktemp("aws"), REGION, patches) as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh_moto(moto_url: str) -> None:
    """Every test starts from empty accounts."""
    reset_moto(moto_url)


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
