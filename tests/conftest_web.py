"""Helpers for the web app tests: a real uvicorn server on a free localhost port, and plain HTTP.

Not a conftest proper (the lead owns ``tests/conftest.py``): test modules
import it by file name (``from conftest_web import Server``). The tests talk to
the app over real sockets, as a browser or another tool would.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Optional

import uvicorn

from eula_parse.index import ClauseIndex
from eula_parse.web.app import create_app

DOC = "milestone-end-user-license-agreement"
OLD = f"{DOC}@EULA 20240612"
NEW = f"{DOC}@EULA 20250425"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class Server:
    """The app over ``index`` served by uvicorn in a thread, bound to 127.0.0.1 on a free port."""

    def __init__(self, index: ClauseIndex, **options: Any):
        self.app = create_app(index, **options)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

    def get(self, path: str) -> Reply:
        return request(self.url + path)

    def post_files(self, path: str, files: dict[str, tuple[str, bytes]]) -> Reply:
        """A multipart/form-data POST, as a browser sends a form with file inputs."""
        boundary = uuid.uuid4().hex
        parts = []
        for field, (name, data) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return request(self.url + path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def request(url: str, data: Optional[bytes] = None, headers: Optional[dict[str, str]] = None) -> Reply:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read().decode("utf-8"))
