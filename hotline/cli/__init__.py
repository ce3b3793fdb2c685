"""The `hotline` command line: every command exits 0 on success and 2 on bad input."""

from __future__ import annotations

import click

from hotline.cli.calls import calls
from hotline.cli.care import care
from hotline.cli.config import config
from hotline.cli.context import Services
from hotline.cli.database import db
from hotline.cli.jobs import jobs
from hotline.cli.keys import keys
from hotline.cli.outbox import outbox
from hotline.cli.report import report_command
from hotline.cli.rota import rota
from hotline.cli.scheduler import scheduler_command
from hotline.cli.service import demo_command, serve_command
from hotline.cli.simulate import simulate_call
from hotline.cli.stats import stats_command
from hotline.cli.tokens import token
from hotline.cli.users import user


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Run and operate the hotline service."""
    ctx.ensure_object(Services)


cli.add_command(db)
cli.add_command(config)
cli.add_command(rota)
cli.add_command(user)
cli.add_command(keys)
cli.add_command(calls)
cli.add_command(jobs)
cli.add_command(outbox)
cli.add_command(serve_command)
cli.add_command(scheduler_command)
cli.add_command(demo_command)
cli.add_command(simulate_call)
cli.add_command(stats_command)
cli.add_command(report_command)
cli.add_command(token)
cli.add_command(care)


def main() -> None:
    cli(prog_name="hotline")
