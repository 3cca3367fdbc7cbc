"""``eula serve``: the web app over the index, on localhost.

Starlette, Jinja2 and uvicorn are imported inside the command, so the other
commands (``eula search`` above all) never load them.
"""

from __future__ import annotations

import threading
import webbrowser
from typing import Optional

import click

from eula_parse.cli.output import color_option
from eula_parse.cli.search import _open_for_reading, index_option


@click.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the default keeps the app on this machine).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the app in the default browser.")
@color_option
def serve_cmd(index_dir: Optional[str], host: str, port: int, open_browser: bool) -> None:
    """Search, read and compare the indexed agreements in a browser (read-only).

    Add agreements with `eula index`; the app shows new versions without a restart.
    """
    import socket

    import uvicorn

    from eula_parse.web.app import create_app

    index = _open_for_reading(index_dir)
    app = create_app(index)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        from eula_parse.errors import InputError

        raise InputError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from exc
    bound = sock.getsockname()[1]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{bound}/"
    click.echo(f"eula serve: {url}  (index {index.path}; Ctrl-C stops)", err=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    try:
        server.run(sockets=[sock])
    finally:
        index.close()


COMMANDS = [serve_cmd]
