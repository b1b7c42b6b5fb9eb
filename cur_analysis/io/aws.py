"""The library's one boto3 client factory, with the retry configuration defined once.

Clients are made at the edges (the CLI, the Glue entry wiring) and handed in; nothing deeper in
the library creates one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from botocore.config import Config

# Standard retry mode: throttling and transient errors back off and retry (boto3 retries guide).
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 8})


def client(service: str, session: Any | None = None) -> Any:
    """A boto3 client of ``service`` with ``CLIENT_CONFIG`` (from ``session`` when given)."""
    import boto3

    return (session or boto3).client(service, config=CLIENT_CONFIG)


def client_factory(service: str, session: Any | None = None) -> Callable[[], Any]:
    """Makes the client only when called: a run that writes nothing to S3 needs no credentials."""
    return partial(client, service, session)
