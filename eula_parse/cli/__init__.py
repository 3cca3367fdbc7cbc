"""The ``eula`` command: argument parsing and printing only.

Each sub-command lives in its own module and calls the Python API; library
modules never import from here. A command's module is imported only when that
command runs (``eula diff`` does not import the search commands' Whoosh), and
heavy libraries (spaCy, pdfplumber) inside the commands that need them so that
``eula search`` starts fast.
"""

from __future__ import annotations

import errno
import importlib
import logging
import os
import sys

import click

from eula_parse.cli.output import color_option
from eula_parse.errors import EulaError

#: Exit status after the reader closed the pipe (``eula search ... | head``): 128 + SIGPIPE, as git and grep.
BROKEN_PIPE = 141


def _quiet_broken_pipe() -> None:
    """Send what is still buffered for stdout nowhere, so Python's exit flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture stdout)
        pass


#: Each command, by the module of eula_parse.cli that defines it (its ``COMMANDS``).
COMMAND_MODULES = {
    "parse": "parse", "entities": "entities", "check": "entities", "index": "search", "search": "search",
    "show": "search", "diff": "diff", "serve": "serve", "export": "export", "worker": "worker",
}


class EulaGroup(click.Group):
    """Turns every ``EulaError`` into ``error: <message>`` and exit code 2 (``--debug`` re-raises).

    Commands are loaded by name when first asked for (:data:`COMMAND_MODULES`).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, name: str):
        if name not in self.commands and name in COMMAND_MODULES:
            for command in importlib.import_module(f"eula_parse.cli.{COMMAND_MODULES[name]}").COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EulaError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(130)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            _quiet_broken_pipe()
            sys.exit(BROKEN_PIPE)


@click.group(cls=EulaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@color_option
@click.version_option(package_name="eula-parse")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Parse, tag, search and diff software licence agreements (EULAs)."""
    ctx.obj = {"debug": debug}
    if not debug:
        # pdfminer logs every oddity of a damaged PDF as a warning; the user gets our one line.
        logging.getLogger("pdfminer").setLevel(logging.ERROR)
