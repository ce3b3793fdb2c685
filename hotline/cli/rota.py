"""`hotline rota on-duty|gaps|check|ical`: questions to the rota, past or future."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from sqlalchemy.orm import Session

from hotline.calendar import UnknownCounselor, counselor_calendar, hotline_calendar
from hotline.cli.context import database, fail, parse_moment_option, write
from hotline.clock import now
from hotline.duty import UnknownHotline, duty_at, find_hotline
from hotline.models import Hotline
from hotline.rota_answers import describe_violation, gaps_json, violations_json
from hotline.rota_rules import check_line
from hotline.rota_versions import load_history
from rota.localtime import to_instant


@click.group()
def rota() -> None:
    """Who is on duty, where the gaps are, calendars."""


@rota.command("on-duty")
@click.argument("hotline")
@click.option("--at", "at_text", help="ISO-8601; without an offset, the line's local time.")
def rota_on_duty(hotline: str, at_text: str | None) -> None:
    """The tiers of HOTLINE at an instant (default now), as JSON."""
    with database().read() as session:
        line, at = _line_and_instant(session, hotline, at_text, "--at")
        duty = duty_at(session, line.key, at)
    write(json.dumps(duty.as_json(), ensure_ascii=False, indent=2))


@rota.command("gaps")
@click.argument("hotline")
@click.option("--from", "from_text", help="ISO-8601; without an offset, the line's local time.")
@click.option("--days", type=click.IntRange(1, 3660), default=7, show_default=True)
def rota_gaps(hotline: str, from_text: str | None, days: int) -> None:
    """Where tier 1 of HOTLINE has nobody, as a JSON list of intervals: `start` and `end` in
    UTC (Z), `local_start` and `local_end` on the line's wall clock (its `timezone`)."""
    with database().read() as session:
        line, start = _line_and_instant(session, hotline, from_text, "--from")
        gaps = load_history(session, line.id).gaps(start, start + timedelta(days=days))
        timezone = line.timezone
    write(json.dumps(gaps_json(gaps, timezone), indent=2))
    click.echo(f"start/end: UTC; local_start/local_end: {timezone}", err=True)


@rota.command("check")
@click.argument("hotline")
@click.option("--days", type=click.IntRange(1, 366), default=28, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="A JSON list instead of lines of text.")
def rota_check(hotline: str, days: int, as_json: bool) -> None:
    """The coverage-rule violations of HOTLINE from now on. Exits 0 even when there are some:
    rules warn, they never block a rota."""
    start = now()
    with database().read() as session:
        line, _ = _line_and_instant(session, hotline, None, "--from")
        found = check_line(session, line, start, start + timedelta(days=days))
        timezone, has_rules = line.timezone, line.coverage_rules is not None
    if as_json:
        write(json.dumps(violations_json(found, timezone), ensure_ascii=False, indent=2))
        return
    for each in found:
        write(describe_violation(each, timezone))
    if not has_rules:
        click.echo(f"{hotline} sets no coverage rules (see docs/coverage-rules.md)", err=True)
    else:
        click.echo(f"{len(found)} violation(s) in the next {days} days ({timezone})", err=True)


@rota.command("ical")
@click.option("--hotline", "hotline_key")
@click.option("--counselor", "counselor_key")
@click.option("--days", type=click.IntRange(1, 3660), default=28, show_default=True)
def rota_ical(hotline_key: str | None, counselor_key: str | None, days: int) -> None:
    """An RFC 5545 calendar of the shifts of a line or a counselor from now on."""
    if (hotline_key is None) == (counselor_key is None):
        fail("give exactly one of --hotline KEY or --counselor KEY")
    start = now()
    end = start + timedelta(days=days)
    with database().read() as session:
        try:
            if hotline_key is not None:
                data = hotline_calendar(session, hotline_key, start, end)
            else:
                assert counselor_key is not None
                data = counselor_calendar(session, counselor_key, start, end)
        except (UnknownHotline, UnknownCounselor) as exc:
            fail(str(exc))
    sys.stdout.buffer.write(data)


def _line_and_instant(
    session: Session, hotline: str, text: str | None, option: str
) -> tuple[Hotline, datetime]:
    """The line, and the instant `text` means there (now when not given)."""
    try:
        line = find_hotline(session, hotline)
    except UnknownHotline as exc:
        fail(str(exc))
    if text is None:
        return line, now()
    return line, to_instant(parse_moment_option(text, option), ZoneInfo(line.timezone))
