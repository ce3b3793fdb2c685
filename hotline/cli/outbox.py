"""`hotline outbox list`: outbound messages (alerts, reminders) with their state."""

from __future__ import annotations

import json

import click

from hotline.cli.context import database, write
from hotline.records.outbox import list_messages


@click.group("outbox")
def outbox() -> None:
    """Messages waiting to be sent, and those sent."""


@outbox.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON list instead of a table.")
def outbox_list(as_json: bool) -> None:
    """The newest messages first."""
    with database().read() as db:
        messages = list_messages(db)
    if as_json:
        write(json.dumps(messages, ensure_ascii=False, indent=2))
        return
    for m in messages:
        write(
            f"{m['created_at']}  {m['state']:<8} {m['channel']:<6} {m['kind']:<12} {m['subject']}"
        )
    if not messages:
        write("no messages")
