"""A small Chrome DevTools Protocol client: drive Debian's headless Chromium from a test or a script.

No browser download and no Playwright: Chromium is started with
``--remote-debugging-port=0``, prints the address of its DevTools websocket,
and this client sends commands over it with the ``websockets`` package.
Used by ``tests/test_web_browser.py`` and ``bench/screenshots.py``.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from typing import Any, Optional

from websockets.sync.client import connect


def find_chromium() -> Optional[str]:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page; ``with Browser(path) as b: b.goto(url); b.eval("1+1")``."""

    def __init__(self, executable: str, *, width: int = 1280, height: int = 900):
        self.ws: Any = None
        self.stack = contextlib.ExitStack()
        self.profile = tempfile.mkdtemp(prefix="eula-chromium-")
        self.proc = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-extensions", "--no-first-run",
             "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        address = self._devtools_address(timeout=30)
        # Chromium keeps logging to stderr; a full pipe would stall it, so drain it from now on.
        threading.Thread(target=self._drain, daemon=True).start()
        self.ws = self.stack.enter_context(connect(address, max_size=64 * 2**20, open_timeout=30))
        self.ids = itertools.count(1)
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.viewport(width, height)

    def _devtools_address(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        assert self.proc.stderr is not None
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                break
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                return match.group(1)
        self.close()
        raise BrowserError("Chromium did not start (no DevTools address on stderr)")

    def _drain(self) -> None:
        try:
            for _ in self.proc.stderr:
                pass
        except (OSError, ValueError):
            pass

    # -- protocol -----------------------------------------------------------------

    def call(self, method: str, *, session: bool = False, timeout: float = 60, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events in between are dropped)."""
        ident = next(self.ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"{method}: no answer in {timeout} s")
            reply = json.loads(self.ws.recv(timeout=left))
            if reply.get("id") == ident:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def eval(self, expression: str) -> Any:
        """Evaluate JavaScript in the page; returns its (JSON-able) value, awaiting promises."""
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            detail = result["exceptionDetails"]
            text = detail.get("exception", {}).get("description") or detail.get("text")
            raise BrowserError(f"JavaScript error: {text}")
        return result["result"].get("value")

    # -- pages ----------------------------------------------------------------------

    def viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)

    def _wait_loaded(self, marker: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.eval(f"window.__eulaMark !== {json.dumps(marker)} && document.readyState === 'complete'"):
                    return
            except BrowserError:
                pass  # the old page went away mid-evaluation
            time.sleep(0.05)
        raise BrowserError(f"page did not load in {timeout} s")

    def _mark(self) -> str:
        marker = f"m{next(self.ids)}"
        self.eval(f"window.__eulaMark = {json.dumps(marker)}")
        return marker

    def goto(self, url: str, timeout: float = 60) -> None:
        marker = self._mark()
        self.call("Page.navigate", session=True, url=url)
        self._wait_loaded(marker, timeout)

    def click(self, selector: str, timeout: float = 60) -> None:
        """Click the element ``selector`` names and wait for the page it leads to."""
        marker = self._mark()
        found = self.eval(f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
                          f" if (!el) return false; el.click(); return true; }})()")
        if not found:
            raise BrowserError(f"nothing matches {selector!r} on {self.url}")
        self._wait_loaded(marker, timeout)

    def text(self, selector: str) -> str:
        return self.eval(f"(document.querySelector({json.dumps(selector)}) || {{}}).innerText || ''")

    @property
    def url(self) -> str:
        return self.eval("location.href")

    def screenshot(self, path: str, *, full_page: bool = False) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.eval("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size[0], "height": min(size[1], 4000), "scale": 1})
        data = self.call("Page.captureScreenshot", session=True, **params)["data"]
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(data))

    # -- lifetime -------------------------------------------------------------------

    def close(self) -> None:
        try:
            self.stack.close()
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # Chromium's helper processes may still be writing to the profile as the main one exits.
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
