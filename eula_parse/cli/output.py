"""What every command shares about its output: colour, JSON forms, progress and paths that fit.

The conventions are those of git, ripgrep and sqlite-utils, so the commands
behave as users expect in a terminal and in a pipe: ``--color=auto|always|never``
and ``NO_COLOR``; ``--json`` for a document, ``--jsonl`` for a stream of
records; progress only on a terminal's stderr; a closed pipe ends quietly.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import click

#: Seconds a parse may take before a terminal gets a progress line on stderr.
PROGRESS_AFTER = 1.0


def _set_color(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> None:
    """Store the choice in ``ctx.color``, which ``click.echo`` and :func:`console` obey."""
    if value is not None:
        ctx.color = {"always": True, "never": False, "auto": None}[value]
    if ctx.color is None and os.environ.get("NO_COLOR"):  # https://no-color.org: any non-empty value
        ctx.color = False


def color_option(command):
    """``--color=auto|always|never`` (unset: what ``eula --color`` said, else auto)."""
    return click.option(
        "--color", type=click.Choice(["auto", "always", "never"]), default=None, metavar="WHEN",
        expose_value=False, is_eager=True, callback=_set_color,
        help="Colour output: auto (a terminal, unless NO_COLOR is set), always or never.",
    )(command)


def color() -> Optional[bool]:
    """True or False when ``--color``/``NO_COLOR`` decided, None for "if a terminal"."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.color is not None:
        return ctx.color
    return False if os.environ.get("NO_COLOR") else None


def console(stderr: bool = False, **options: Any):
    """A rich ``Console`` that follows ``--color`` and ``NO_COLOR``."""
    from rich.console import Console

    wanted = color()
    if wanted is False:
        options.update(color_system=None, no_color=True)
    elif wanted is True:
        options.update(force_terminal=True)
    return Console(stderr=stderr, highlight=False, **options)


def print_json(data: Any) -> None:
    """One JSON document on stdout (``--json``)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def print_jsonl(records: Iterable[Any]) -> None:
    """One compact JSON object per line (``--jsonl``), for streams a program reads record by record."""
    for record in records:
        click.echo(json.dumps(record, ensure_ascii=False, separators=(",", ":")))


def json_options(command):
    """``--json`` and ``--jsonl`` on a command that prints records (``fmt`` is "json", "jsonl" or None)."""
    command = click.option("--jsonl", "fmt", flag_value="jsonl",
                           help="Print one JSON object per line (a stream of records).")(command)
    return click.option("--json", "fmt", flag_value="json", help="Print the records as one JSON document.")(command)


def terminal_width(default: int = 100) -> int:
    return shutil.get_terminal_size((default, 20)).columns


def fit_path(path: str, width: int) -> str:
    """``path`` as the user can read it in ``width`` columns: relative to the CWD if below it, else
    shortened in the middle (the file name is kept whole when it fits)."""
    try:
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            path = relative
    except ValueError:  # another drive (Windows)
        pass
    width = max(width, 12)
    if len(path) <= width:
        return path
    name = Path(path).name
    if len(name) + 2 <= width:
        head = path[: width - len(name) - 2]
        return f"{head}\u2026/{name}" if head else f"\u2026/{name}"[-width:]
    return "\u2026" + path[-(width - 1):]


@contextmanager
def slow_progress(message: str, delay: float = PROGRESS_AFTER) -> Iterator[None]:
    """Show ``message`` with a spinner on stderr once the work has taken ``delay`` seconds.

    Only on a terminal: in a pipe or a log nothing is written, and a quick
    parse never flashes a line.
    """
    if not sys.stderr.isatty():
        yield
        return
    status = console(stderr=True).status(message)
    lock = threading.Lock()
    state = {"done": False}

    def start() -> None:
        with lock:
            if not state["done"]:
                status.start()

    timer = threading.Timer(delay, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
            timer.cancel()
            status.stop()
