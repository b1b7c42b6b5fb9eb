"""One moto server for a test folder: ``ThreadedMotoServer`` on 127.0.0.1, boto3 pointed at it."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

# Environment that would steer boto3 away from the server (or, MOTO_ACCOUNT_ID, override the
# account of assumed-role credentials).
_CLEARED = ("MOTO_ACCOUNT_ID", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server(
    scratch: Path, region: str, patches: Sequence[tuple[Any, str, Any]] = ()
) -> Iterator[str]:
    """Start the server with ``patches`` (object, attribute, value) applied; yield its URL."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    nowhere = str(scratch / "none")
    with pytest.MonkeyPatch.context() as mp:
        for target, name, value in patches:
            mp.setattr(target, name, value, raising=False)
        for name in _CLEARED:
            mp.delenv(name, raising=False)
        url = f"http://127.0.0.1:{port}"
        mp.setenv("AWS_ENDPOINT_URL", url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", region)
        mp.setenv("AWS_CONFIG_FILE", nowhere)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", nowhere)
        server.start()
        try:
            yield url
        finally:
            server.stop()


def reset_moto(url: str) -> None:
    """Empty every account of the server (moto's reset endpoint)."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
