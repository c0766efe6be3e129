"""Render the example pathway's HTML (and SVG) export and screenshot it in headless Chromium.

Drives Chromium over the DevTools protocol (``websockets``), so that every console
error, uncaught exception and failed load is reported, and takes a full-page PNG::

    .venv/bin/python scripts/screenshot_html.py --out /tmp/hjem-til-hjem-shots

Exits 1 if Chromium reports a console error, 2 if Chromium cannot be found or started.
Chromium is found at ``--chromium``, ``$CHROMIUM``, ``/usr/bin/chromium`` or on the PATH.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from pathways.document import parse_document
from pathways.export import Approval, ExportContext, export
from pathways.findings import Finding, Severity
from pathways.model import Level

__all__ = [
    "DEMO_CONTEXT",
    "Capture",
    "ChromiumError",
    "capture",
    "find_chromium",
    "main",
    "render_example",
]

DEMO_CONTEXT = ExportContext(
    pathway_id=1,
    status="approved",
    version=2,
    revision=14,
    approvals=(
        Approval("Bærum kommune", Level.MUNICIPALITY, datetime(2026, 3, 1, 14, 5, tzinfo=UTC), 14),
        Approval("Vestre Viken HF", Level.HOSPITAL, datetime(2026, 3, 2, 9, 30, tzinfo=UTC), 14),
    ),
    findings=(
        Finding(
            "norway.no_municipal_reply",
            Severity.WARNING,
            transitions=("to-home-nursing",),
            messages={
                "en": "No reply from the municipality after the ready-for-discharge notice.",
                "nb": "Ingen tilbakemelding fra kommunen etter melding om utskrivningsklar "
                "pasient.",
            },
        ),
    ),
    generated_at=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
)
"""A context that shows every part of the document: approvals, a version, a finding."""

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")
_SVG_SIZE = re.compile(r'<svg[^>]*? width="([\d.]+)" height="([\d.]+)"')


class ChromiumError(RuntimeError):
    """Chromium could not be found, started or driven."""


@dataclass
class Capture:
    """What one page gave: the screenshot and what its console said."""

    png: Path
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Every URL the page asked for, the page itself first."""
    width: int = 0
    height: int = 0
    value: Any = None
    """What the ``evaluate`` expression gave, as JSON."""


def find_chromium(explicit: str | None = None) -> str | None:
    """The Chromium executable to use, or ``None`` if there is none."""
    candidates = [explicit, os.environ.get("CHROMIUM"), "/usr/bin/chromium"]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser", "chrome")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def render_example(out: Path, *, context: ExportContext = DEMO_CONTEXT) -> tuple[Path, Path]:
    """Write the example pathway's HTML and SVG exports into ``out``; return their paths."""
    raw = files("pathways.examples").joinpath("hip-fracture.json").read_bytes()
    pathway = parse_document(raw)
    out.mkdir(parents=True, exist_ok=True)
    html = out / "hip-fracture.html"
    svg = out / "hip-fracture.svg"
    html.write_bytes(export(pathway, "html", context=context))
    svg.write_bytes(export(pathway, "svg", context=context))
    return html, svg


class _Session:
    """A minimal DevTools client: one page target, commands and the events seen so far."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._next = 0
        self.session_id: str | None = None
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if self.session_id is not None:
            message["sessionId"] = self.session_id
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise ChromiumError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def _receive(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ChromiumError("Chromium did not answer in time")
        try:
            message: dict[str, Any] = json.loads(self._socket.recv(timeout=remaining))
        except TimeoutError:
            raise ChromiumError("Chromium did not answer in time") from None
        if "method" in message:
            self.events.append(message)
        return message

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("method") == method:
                return message


@contextmanager
def _browser(chromium: str, width: int, height: int) -> Iterator[str]:
    """Start Chromium; yield its DevTools WebSocket URL; stop it (by its own pid)."""
    with tempfile.TemporaryDirectory(prefix="h2h-chromium-") as profile:
        command = [chromium, *_FLAGS, f"--user-data-dir={profile}"]
        command += [f"--window-size={width},{height}", "about:blank"]
        process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        stderr = process.stderr
        assert stderr is not None
        found: list[str] = []
        ready = threading.Event()

        def read_stderr() -> None:
            for line in stderr:
                match = _LISTENING.search(line)
                if match and not found:
                    found.append(match.group(1))
                    ready.set()
            ready.set()

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        try:
            if not ready.wait(60) or not found:
                raise ChromiumError(f"{chromium} did not open a DevTools port")
            yield found[0]
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            reader.join(10)
            stderr.close()


def _console_text(params: dict[str, Any]) -> str:
    parts = []
    for argument in params.get("args", []):
        parts.append(str(argument.get("value", argument.get("description", ""))))
    return " ".join(parts)


def capture(
    page: Path | str,
    png: Path,
    *,
    chromium: str | None = None,
    width: int = 1280,
    height: int = 900,
    full_page: bool = True,
    ready: str | None = None,
    evaluate: str | None = None,
    pdf: Path | None = None,
) -> Capture:
    """Open ``page`` (a file, or a URL) in headless Chromium, screenshot it to ``png``,
    collect console errors and every URL it requested.

    Errors are console errors and assertions, uncaught exceptions and browser log
    entries of level error (failed loads, blocked resources); warnings likewise.
    ``ready`` is a JavaScript expression to wait for (up to 30 s) before the
    screenshot, for pages that render after loading (e.g. ``"!!document.querySelector('h2')"``).
    ``evaluate`` is a JavaScript expression whose value (JSON) the capture keeps, evaluated
    once fonts are loaded (e.g. to measure where the texts went). ``pdf``: also print
    the page to this file, as Chromium prints it (the page's own ``@page`` sizes).
    """
    executable = find_chromium(chromium)
    if executable is None:
        raise ChromiumError("Chromium not found (install the Debian package 'chromium')")
    with _browser(executable, width, height) as url, connect(url, max_size=None) as socket:
        session = _Session(socket)
        target = session.send("Target.createTarget", url="about:blank")
        attached = session.send("Target.attachToTarget", targetId=target["targetId"], flatten=True)
        session.session_id = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            session.send(f"{domain}.enable")
        session.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        address = page if isinstance(page, str) else page.resolve().as_uri()
        session.send("Page.navigate", url=address)
        session.wait_for("Page.loadEventFired")
        if ready is not None:
            deadline = time.monotonic() + 30
            while not session.send("Runtime.evaluate", expression=ready)["result"].get("value"):
                if time.monotonic() > deadline:
                    raise ChromiumError(f"the page did not get ready: {ready}")
                time.sleep(0.1)
        session.send(
            "Runtime.evaluate",
            expression="document.fonts.ready.then(() => true)",
            awaitPromise=True,
        )
        value = None
        if evaluate is not None:
            answer = session.send("Runtime.evaluate", expression=evaluate, returnByValue=True)
            value = answer["result"].get("value")
        if pdf is not None:
            printed = session.send(
                "Page.printToPDF", timeout=120, preferCSSPageSize=True, printBackground=True
            )
            pdf.parent.mkdir(parents=True, exist_ok=True)
            pdf.write_bytes(base64.b64decode(printed["data"]))
        shot_height = height
        if full_page:
            metrics = session.send("Page.getLayoutMetrics")
            shot_height = max(height, int(metrics["cssContentSize"]["height"]))
            session.send(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=shot_height,
                deviceScaleFactor=1,
                mobile=False,
            )
        shot = session.send("Page.captureScreenshot", format="png", captureBeyondViewport=full_page)
        png.parent.mkdir(parents=True, exist_ok=True)
        png.write_bytes(base64.b64decode(shot["data"]))
        result = Capture(png=png, width=width, height=shot_height, value=value)
        for event in session.events:
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                result.requests.append(str(params.get("request", {}).get("url", "")))
            elif method == "Runtime.consoleAPICalled":
                text = f"console.{params.get('type')}: {_console_text(params)}"
                if params.get("type") in {"error", "assert"}:
                    result.errors.append(text)
                elif params.get("type") == "warning":
                    result.warnings.append(text)
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                result.errors.append(f"exception: {details.get('text', '')}")
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                text = f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip()
                if entry.get("level") == "error":
                    result.errors.append(text)
                elif entry.get("level") == "warning":
                    result.warnings.append(text)
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "h2h-shots")
    parser.add_argument("--chromium", default=None, help="path of the Chromium executable")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    arguments = parser.parse_args(argv)
    if find_chromium(arguments.chromium) is None:
        print("Chromium not found: apt-get install -y chromium", file=sys.stderr)
        return 2
    html, svg = render_example(arguments.out)
    svg_size = _SVG_SIZE.search(svg.read_text(encoding="utf-8"))
    svg_width, svg_height = (
        (round(float(svg_size.group(1))), round(float(svg_size.group(2))))
        if svg_size
        else (arguments.width, arguments.height)
    )
    pages = [
        (html, arguments.width, arguments.height, True),
        (svg, svg_width, svg_height, False),
    ]
    failed = False
    for page, width, height, full in pages:
        try:
            result = capture(
                page,
                page.with_name(f"{page.stem}-{page.suffix[1:]}.png"),
                chromium=arguments.chromium,
                width=width,
                height=height,
                full_page=full,
            )
        except ChromiumError as problem:
            print(f"{page}: {problem}", file=sys.stderr)
            return 2
        print(f"{page} -> {result.png} ({result.width}x{result.height})")
        for warning in result.warnings:
            print(f"  warning: {warning}")
        for error in result.errors:
            print(f"  ERROR: {error}")
        failed = failed or bool(result.errors)
    print("console errors: none" if not failed else "console errors found")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
