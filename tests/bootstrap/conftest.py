"""Fixtures for the bootstrap tests: one moto server for the session, two accounts via STS.

moto runs in server mode (``ThreadedMotoServer`` on 127.0.0.1, a free port); boto3 reaches it
through ``AWS_ENDPOINT_URL`` like any AWS endpoint. Account A (producer) and account B (consumer)
are reached with ``sts.assume_role`` into each account (``MOTO_ACCOUNT_ID`` is never set: it
would override the assumed-role account). State is reset before every test.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Callable, Iterator

import boto3
import pytest
from bootstrap_support import CATALOG_ARN_RE, REGION, A, B, World, assume, make_world
from moto.ram.models import ResourceShare
from moto.server import ThreadedMotoServer

from bootstrap.aws import AccountClients


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    nowhere = str(tmp_path_factory.mktemp("aws") / "none")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            ResourceShare, "add_resources", _accept_catalog_arns(ResourceShare.add_resources)
        )
        for name in ("MOTO_ACCOUNT_ID", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
            mp.delenv(name, raising=False)
        url = f"http://127.0.0.1:{port}"
        mp.setenv("AWS_ENDPOINT_URL", url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", REGION)
        mp.setenv("AWS_CONFIG_FILE", nowhere)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", nowhere)
        server.start()
        try:
            yield url
        finally:
            server.stop()


@pytest.fixture(autouse=True)
def _fresh_moto(moto_url: str) -> None:
    """Every test starts from empty accounts."""
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


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
