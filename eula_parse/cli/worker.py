"""``eula worker``: whether the warm worker (:mod:`eula_parse.worker`) is running, and stopping it."""

from __future__ import annotations

import time

import click

from eula_parse import worker
from eula_parse.cli.output import color_option


@click.command("worker")
@click.option("--stop", is_flag=True, help="Stop the worker now (it also leaves by itself when idle).")
@color_option
def worker_cmd(stop: bool) -> None:
    """Show the warm worker that keeps spaCy loaded for `eula diff`, `parse`, `entities` and `check`.

    The first of those commands starts it; it leaves after $EULA_WORKER_IDLE seconds
    without work (default 600). EULA_WORKER=off turns it off."""
    where = worker.address()
    if where is None:
        click.echo(f"the worker is off here ({worker.ENV_WORKER}=off, or no private runtime directory)")
        return
    if stop:
        click.echo("worker stopped" if worker.stop() else "no worker running")
        return
    about = worker.status()
    if about is None:
        click.echo(f"no worker running (socket {where})")
        return
    click.echo(f"worker pid {about['pid']}, up {time.time() - about['started']:.0f} s, "
               f"{about['served'] - 1} request(s) served, leaves after {about['idle']:.0f} s idle; socket {where}")


COMMANDS = [worker_cmd]
