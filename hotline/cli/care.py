"""`hotline care school-line LINE [--off]`: a school's line keeps student cases."""

from __future__ import annotations

import click
from sqlalchemy import select

from hotline import clock
from hotline.care.cases import mark_school_line
from hotline.cli.context import database, fail, write
from hotline.models import Hotline
from hotline.records import audit


@click.group("care")
def care() -> None:
    """Follow-up care: sessions, referrals and the student cases of school lines."""


@care.command("school-line")
@click.argument("hotline")
@click.option("--off", is_flag=True, help="The line no longer serves a school.")
def school_line(hotline: str, off: bool) -> None:
    """Mark HOTLINE as a school's line: its counselors and supervisors keep student cases."""
    now = clock.now()
    with database().write() as db:
        line_id = db.scalar(select(Hotline.id).where(Hotline.key == hotline))
        if line_id is None:
            fail(f"no such line: {hotline}")
        changed = mark_school_line(db, line_id, not off, now, "cli")
        if changed:
            action = "care.school_line_off" if off else "care.school_line_on"
            audit.record(db, now, action, actor="cli", target=hotline, source="cli")
    state = "not a school line" if off else "a school line"
    write(f"{hotline}: {state}" + ("" if changed else " (unchanged)"))
