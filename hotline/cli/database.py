"""`hotline db upgrade`: create or migrate the schema."""

from __future__ import annotations

import click

from hotline.cli.context import database
from hotline.migrate import upgrade


@click.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest revision."""
    upgrade(database().engine)
    click.echo("database is at the newest revision", err=True)
