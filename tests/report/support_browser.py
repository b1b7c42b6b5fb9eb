"""Open a page in headless Chromium and record what it did, through the DevTools protocol.

Chromium starts with a fresh profile and ``--remote-debugging-port=0``; a websocket client
(websocket-client) attaches to the page, enables the Network, Runtime and Log domains, navigates
to the file and waits for its load event. Every request the page starts
(``Network.requestWillBeSent``), every console error or uncaught exception
(``Runtime.consoleAPICalled`` / ``Runtime.exceptionThrown``) and every browser log error
(``Log.entryAdded``: CSP violations, failed loads) is recorded. A full-page PNG is captured with
``Page.captureScreenshot``.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
)
_LISTENING = re.compile(r"DevTools listening on (ws://127\.0\.0\.1:(\d+)/\S+)")
LOCAL_SCHEMES = ("file:", "data:", "about:")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageVisit:
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    loaded: bool = False

    @property
    def external_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]


def _start(binary: str, profile: Path, width: int) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [
            binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},900",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        match = _LISTENING.search(line)
        if match:
            # keep reading stderr so that a chatty browser never blocks on a full pipe
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, int(match.group(2))
    process.kill()
    raise RuntimeError("chromium did not report its DevTools port within 30 s")


def _page_socket(port: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as answer:
            pages = [t for t in json.load(answer) if t.get("type") == "page"]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        time.sleep(0.1)
    raise RuntimeError("chromium has no page target")


# How long one DevTools command may take: generous for a full-page screenshot on a loaded
# machine; it bounds a hung browser, nothing more.
CALL_SECONDS = 120


class _Session:
    def __init__(self, url: str) -> None:
        import websocket

        self._socket = websocket.create_connection(url, timeout=CALL_SECONDS, suppress_origin=True)
        self._next = 0
        self.events: list[dict] = []

    def call(self, method: str, **params: object) -> dict:
        """Send one command and wait for its answer, with the full call timeout.

        ``wait_for`` shortens the socket's timeout to what is left of its own deadline, so the
        timeout is set again here: a command right after ``drain`` would otherwise inherit a
        fraction of a second (the cause of a CI failure on ``Page.captureScreenshot``).
        """
        self._next += 1
        ident = self._next
        self._socket.settimeout(CALL_SECONDS)
        self._socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, seconds: float) -> bool:
        import websocket

        deadline = time.monotonic() + seconds
        if any(e.get("method") == method for e in self.events):
            return True
        while time.monotonic() < deadline:
            self._socket.settimeout(max(deadline - time.monotonic(), 0.05))
            try:
                message = json.loads(self._socket.recv())
            except websocket.WebSocketTimeoutException:
                return False
            self.events.append(message)
            if message.get("method") == method:
                return True
        return False

    def drain(self, seconds: float) -> None:
        self.wait_for("<none>", seconds)

    def close(self) -> None:
        self._socket.close()


def _record(visit: PageVisit, events: list[dict]) -> None:
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            visit.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            visit.console_errors.append("console: " + " ".join(texts))
        elif method == "Runtime.exceptionThrown":
            visit.console_errors.append("exception: " + json.dumps(params["exceptionDetails"]))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            visit.console_errors.append("log: " + params["entry"].get("text", ""))
        elif method == "Page.loadEventFired":
            visit.loaded = True


def visit(html_file: Path, profile: Path, screenshot: Path | None = None, width: int = 1200):
    """Load ``html_file`` in a fresh headless Chromium; return what it requested and logged."""
    binary = chromium()
    if binary is None:
        raise RuntimeError("chromium is not installed")
    process, port = _start(binary, profile, width)
    try:
        session = _Session(_page_socket(port))
        try:
            for domain in ("Network", "Runtime", "Log", "Page"):
                session.call(f"{domain}.enable")
            session.call("Page.navigate", url=html_file.resolve().as_uri())
            session.wait_for("Page.loadEventFired", 30)
            session.drain(0.5)  # late console messages and requests
            if screenshot is not None:
                size = session.call("Page.getLayoutMetrics")["cssContentSize"]
                shot = session.call(
                    "Page.captureScreenshot",
                    format="png",
                    captureBeyondViewport=True,
                    clip={"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
                )
                screenshot.write_bytes(base64.b64decode(shot["data"]))
            result = PageVisit()
            _record(result, session.events)
            return result
        finally:
            session.close()
    finally:
        process.kill()
        process.wait(timeout=10)


def screenshot_flag(html_file: Path, profile: Path, png: Path, size: str = "1200,2400") -> None:
    """The plain ``--screenshot`` way (first screen of the page), as a person would run it."""
    binary = chromium()
    if binary is None:
        raise RuntimeError("chromium is not installed")
    subprocess.run(
        [
            binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={size}",
            f"--screenshot={png}",
            html_file.resolve().as_uri(),
        ],
        check=True,
        timeout=60,
        capture_output=True,
    )
