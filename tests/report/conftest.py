"""A headless Chromium driven over the DevTools protocol (pipe transport, no extra package)."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jogak.models import AutoMLClassifier

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking")
_SAFETY_SECONDS = 120.0  # only guards against a hung browser; nothing is timed


@dataclass
class PageResult:
    """What the browser saw: console errors, uncaught exceptions, JS results, a screenshot."""

    errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes = b""


class DevTools:
    """Chrome DevTools protocol over ``--remote-debugging-pipe`` (fd 3 in, fd 4 out)."""

    def __init__(self, binary: str, profile_dir: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes() -> None:  # in the child: the browser reads fd 3 and writes fd 4
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, "--remote-debugging-pipe", "--no-first-run",
             f"--user-data-dir={profile_dir}", "about:blank"],
            # Python opens every fd close-on-exec; only the dup2-ed 3 and 4 reach the browser
            preexec_fn=wire_pipes, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method,
                                   "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + _SAFETY_SECONDS
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], 1.0)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("the browser closed the DevTools pipe")
                self._buffer += chunk
            elif time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("no answer from the browser")
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def _console_errors(events: list[dict[str, Any]]) -> list[str]:
    errors = []
    for event in events:
        params = event.get("params", {})
        if event.get("method") == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            errors.append(f"exception: {details.get('exception', {}).get('description')}"
                          f" {details.get('text')}")
        elif event.get("method") == "Runtime.consoleAPICalled" and params.get("type") in (
                "error", "assert"):
            errors.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                 for a in params.get("args", [])))
        elif event.get("method") == "Log.entryAdded" and \
                params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            errors.append(f"log: {entry.get('text')} {entry.get('url', '')}")
    return errors


def open_in_chromium(binary: str, html: Path, expressions: dict[str, str], *,
                     width: int = 1280, height: int = 2200,
                     ready: str = "true") -> PageResult:
    """Load ``html``, wait until ``ready`` (a JS expression) is true, evaluate ``expressions``
    and take a screenshot of the first ``height`` pixels."""
    browser = DevTools(binary, html.parent / ".chromium-profile")
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target,
                                                         "flatten": True})["sessionId"]
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            browser.send(domain, session=session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1,
                      "mobile": False}, session=session)
        browser.send("Page.navigate", {"url": html.resolve().as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        deadline = time.monotonic() + _SAFETY_SECONDS
        while not _evaluate(browser, session, ready):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the page never became ready: {ready}")
            time.sleep(0.2)
        values = {name: _evaluate(browser, session, expression)
                  for name, expression in expressions.items()}
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
        return PageResult(errors=_console_errors(browser.events), values=values,
                          screenshot=base64.b64decode(shot["data"]))
    finally:
        browser.close()


def _evaluate(browser: DevTools, session: str, expression: str) -> Any:
    result = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                          session=session)
    if "exceptionDetails" in result:
        raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
    return result["result"].get("value")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the Debian ``chromium``; skips without it, except under CI=true."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        message = "chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binary


@pytest.fixture(scope="session")
def open_page(chromium: str) -> Callable[..., PageResult]:
    """``open_page(html_path, expressions, ready=...)`` in a fresh headless Chromium."""
    return functools.partial(open_in_chromium, chromium)


def _churn_frame(seed: int, n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n)
    contract = rng.choice(["월별", "1년", "2년"], n, p=[0.5, 0.3, 0.2])
    charges = rng.normal(70, 20, n).round(2)
    risk = -0.05 * tenure + np.where(contract == "월별", 1.5, -0.5) + 0.01 * charges
    churn = np.where(risk + rng.normal(0, 1, n) > 0, "Yes", "No")
    return pd.DataFrame({"tenure": tenure, "contract": contract, "charges": charges,
                         "total": (tenure * charges + rng.normal(0, 50, n)).round(2),
                         "churn": churn})


@pytest.fixture(scope="session")
def churn_model() -> tuple[AutoMLClassifier, pd.DataFrame]:
    frame = _churn_frame(0)
    model = AutoMLClassifier(n_trials=4, include_models=("linear", "hist_gb"), cv=3,
                             random_state=0)
    model.fit(frame.drop(columns=["churn"]), frame["churn"])
    model.target_name_ = "churn"
    return model, frame
