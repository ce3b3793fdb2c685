"""`/api/v1/`: who is on duty, gaps, shifts and rule violations of each line, as JSON shaped as
the command line's (CONTRACT). Read-only; every answer needs a bearer token, but the
description at `/api/v1/openapi.json`.

Answers: 401 without a valid token, 404 for an unknown line, 400 for a bad instant or window,
429 past the token's rate (with `Retry-After`), 503 while the database is away (and only
then); any other error is a bug: logged, and answered 500.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from hotline import clock, deadline
from hotline.api.limits import Buckets, buckets_for_app, retry_after
from hotline.api.openapi import openapi_document
from hotline.api.reads import read_duty, read_holder
from hotline.api.tokens import TokenDigests, TokenHolder, presented_digests
from hotline.api.usage import UsageLog, Use
from hotline.duty import HeldTiers, LineTiers, UnknownHotline, describe, find_hotline
from hotline.models import Counselor, Hotline
from hotline.rota_answers import gaps_json, shifts_json, violations_json
from hotline.rota_rules import check_line
from hotline.rota_versions import versions_from
from hotline.runtime import Runtime
from rota import coverage
from rota.localtime import parse_moment, to_instant

api = Blueprint("api", __name__, url_prefix="/api/v1")
PHONES = "phones"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="hotline"'}
MAX_DAYS = 366
MAX_SHIFT_WINDOW = timedelta(days=92)
# Instants the rota can be asked about: far enough either way for any real question, and far
# from the edges of `datetime`, where arithmetic would overflow.
EARLIEST, LATEST = datetime(1970, 1, 1), datetime(2200, 1, 1)  # noqa: DTZ001 - wall bounds


class BadRequest(ValueError):
    """A parameter that cannot be answered: 400, with the message."""


@dataclass(slots=True)
class ApiState:
    digests: TokenDigests
    buckets: Buckets
    usage: UsageLog
    # Each line's id and zone as last read, by key: what an on-duty answer is foretold with.
    lines: dict[str, tuple[int, str]] = field(default_factory=dict)


def init_app(app: Flask) -> None:
    current: Runtime = app.extensions["hotline"]
    app.extensions["hotline.api"] = ApiState(
        TokenDigests.of(current.settings), buckets_for_app(), UsageLog(current.database)
    )
    app.register_blueprint(api)


def _state() -> ApiState:
    found: ApiState = current_app.extensions["hotline.api"]
    return found


def _runtime() -> Runtime:
    found: Runtime = current_app.extensions["hotline"]
    return found


def problem(code: int, message: str, **headers: str) -> Response:
    response = jsonify(error=message)
    response.status_code = code
    response.headers.update(headers)
    return response


@api.before_request
def authenticate() -> Response | None:
    if request.endpoint in ("api.openapi", "api.on_duty"):  # on-duty reads it with its data
        return None
    asked = _presented()
    if isinstance(asked, Response):
        return asked
    return _admit(read_holder(_runtime().database, asked))


def _presented() -> list[str] | Response:
    """The digests of the bearer token presented, or the 401 for a request without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "an API token is needed: Authorization: Bearer TOKEN", **CHALLENGE)
    asked = presented_digests(_state().digests, token.strip())
    return problem(401, "unknown token", **CHALLENGE) if asked is None else asked


def _admit(holder: TokenHolder | None) -> Response | None:
    """None when `holder` may be answered now; else the 401 or 429 (a known holder's
    refusals are audited too)."""
    if holder is None:
        return problem(401, "unknown token", **CHALLENGE)
    g.api_holder = holder
    if holder.revoked:
        return problem(401, "this token was revoked", **CHALLENGE)
    wait = _state().buckets.take(holder.id, holder.rate_per_second)
    if wait:
        limited = {"Retry-After": retry_after(wait)}
        return problem(429, "too many requests for this token", **limited)
    return None


@api.after_request
def note_use(response: Response) -> Response:
    """Every request made with a known token is audited, refused ones too."""
    holder: TokenHolder | None = g.get("api_holder")
    if holder is not None:
        use = Use(clock.now(), holder.name, request.path, request.remote_addr, response.status_code)
        _state().usage.note(use)
    return response


@api.errorhandler(BadRequest)
def bad_request(error: BadRequest) -> Response:
    return problem(400, str(error))


@api.errorhandler(UnknownHotline)
def unknown_line(error: UnknownHotline) -> Response:
    return problem(404, str(error))


# The database is away (down, unreachable, stalled past the deadline, no pooled connection
# free): 503. Any other error, an ORM misuse among them, is a bug: logged, answered 500. The
# drivers' own classes: `hotline.api.reads` runs its statement on the DBAPI cursor.
@api.errorhandler(OperationalError)
@api.errorhandler(InterfaceError)
@api.errorhandler(PoolTimeout)
@api.errorhandler(deadline.DeadlineExceeded)
@api.errorhandler(sqlite3.OperationalError)
@api.errorhandler(sqlite3.InterfaceError)
@api.errorhandler(psycopg.OperationalError)
@api.errorhandler(psycopg.InterfaceError)
def database_away(error: Exception) -> Response:
    current_app.logger.warning("API: database unavailable (%s)", type(error).__name__)
    return problem(503, "the database is not available; try again", **{"Retry-After": "5"})


@api.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@api.get("/lines")
def lines() -> Response:
    with _runtime().database.read() as session:
        found = session.execute(
            select(Hotline.key, Hotline.name, Hotline.timezone, Hotline.language).order_by(
                Hotline.position
            )
        ).all()
    keys = ("key", "name", "timezone", "language")
    return jsonify([dict(zip(keys, row, strict=True)) for row in found])


@api.get("/lines/<key>/on-duty")
def on_duty(key: str) -> Response:
    asked = _presented()
    if isinstance(asked, Response):
        return asked
    duty = _duty(key, asked)
    if isinstance(duty, Response):
        return duty
    answer = duty.as_json()
    if PHONES not in _holder().scopes:
        answer["tiers"] = [
            [{"counselor": person.key, "name": person.name} for person in tier]
            for tier in duty.tiers
        ]
    return jsonify(answer)


def _duty(key: str, digests: list[str]) -> LineTiers | Response:
    """Who is on duty, read with the token in one statement: the tiers come from the
    process's index, foretold before the read and kept when the read shows that neither the
    line nor the rota changed since; else (a new version, a line's first question) they are
    read afresh. Names and phones are always those of the read."""
    state, current = _state(), _runtime()
    guess = state.lines.get(key)
    at, held = _foretold(key, guess[1] if guess else None)
    keys = sorted({name for tier in held.tiers for name in tier}) if held else []
    found = read_duty(current.database, digests, key, keys)
    if (refused := _admit(found.holder)) is not None:
        return refused
    if found.line_id is None:
        raise UnknownHotline(f"unknown hotline {key!r}")
    line = state.lines[key] = (found.line_id, found.timezone)
    if held is not None and at is not None and guess == line and held.newest == found.newest:
        people = found.people
        named = tuple(tuple(people[k] for k in tier if k in people) for tier in held.tiers)
        return LineTiers(key, at, held.version, named)
    current.duty.follow(found.newest)
    at = _instant("at", found.timezone)
    with current.database.read() as session:
        version, tiers = current.duty.tiers_at(session, found.line_id, key, at)
        return describe(session, key, at, version, tiers)


def _foretold(key: str, timezone: str | None) -> tuple[datetime | None, HeldTiers | None]:
    """The instant asked for and the tiers the index in hand gives, when the line's zone is
    known (from an earlier answer) and the instant reads; else (None, None)."""
    if timezone is None:
        return None, None
    try:
        at = _instant("at", timezone)
    except BadRequest:  # answered after the token is checked
        return None, None
    return at, _runtime().duty.held_tiers(key, at)


@api.get("/lines/<key>/gaps")
def gaps(key: str) -> Response:
    with _runtime().database.read() as session:
        line_id, zone = _line_of(session, key)
        start = _instant("from", zone)
        end = start + timedelta(days=_days(7))
        found = versions_from(session, line_id, start).gaps(start, end)
    return jsonify(gaps_json(found, zone))


@api.get("/lines/<key>/shifts")
def shifts(key: str) -> Response:
    with _runtime().database.read() as session:
        line_id, zone = _line_of(session, key)
        start = _instant("from", zone)
        end = _instant("to", zone, start + timedelta(days=7))
        if not start < end <= start + MAX_SHIFT_WINDOW:
            raise BadRequest("`to` must come after `from`, at most 92 days later")
        segments = versions_from(session, line_id, start).timeline(start, end)
        found = coverage.duty_shifts(segments)
        names = _names(session, {shift.counselor for shift in found})
    return jsonify(shifts_json(found, names, zone))


@api.get("/lines/<key>/violations")
def violations(key: str) -> Response:
    with _runtime().database.read() as session:
        line = find_hotline(session, key)
        zone, start = line.timezone, clock.now()
        found = check_line(session, line, start, start + timedelta(days=_days(28)))
    return jsonify(violations_json(found, zone))


def _line_of(session: Session, key: str) -> tuple[int, str]:
    """The line's id and zone as plain values: an ORM object expires when the read ends."""
    line = find_hotline(session, key)
    return line.id, line.timezone


def _holder() -> TokenHolder:
    found: TokenHolder = g.api_holder
    return found


def _instant(name: str, timezone: str, default: datetime | None = None) -> datetime:
    """The instant query parameter `name` means on the line's wall clock (now if absent)."""
    text = request.args.get(name)
    if text is None:
        return default or clock.now()
    try:
        moment = parse_moment(text)
    except ValueError as error:
        raise BadRequest(f"`{name}`: {error}") from None
    wall = moment.replace(tzinfo=None) if moment.tzinfo is None else None
    if wall is not None and not EARLIEST <= wall < LATEST:
        raise BadRequest(f"`{name}`: out of range (years 1970 to 2199)")
    try:
        at = to_instant(moment, ZoneInfo(timezone))
    except (OverflowError, ValueError):
        raise BadRequest(f"`{name}`: out of range (years 1970 to 2199)") from None
    if not EARLIEST <= at.replace(tzinfo=None) < LATEST:
        raise BadRequest(f"`{name}`: out of range (years 1970 to 2199)")
    return at


def _days(default: int) -> int:
    text = request.args.get("days")
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise BadRequest(f"`days`: a whole number from 1 to {MAX_DAYS}")
    return int(text)


def _names(session: Session, keys: set[str]) -> dict[str, str]:
    rows = session.execute(select(Counselor.key, Counselor.name).where(Counselor.key.in_(keys)))
    return {key: name for key, name in rows.all()}
