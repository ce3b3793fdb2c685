"""`/api/v1/`: who is on duty, gaps, shifts and rule violations of each line, as JSON shaped as
the command line's (CONTRACT). Read-only; every answer needs a bearer token, but the
description at `/api/v1/openapi.json`.

Answers: 401 without a valid token, 404 for an unknown line, 400 for a bad instant or window,
429 past the token's rate (with `Retry-After`), 503 while the database is away; never 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hotline import clock, deadline
from hotline.api.limits import Buckets, buckets_for_app, retry_after
from hotline.api.openapi import openapi_document
from hotline.api.tokens import TokenDigests, TokenHolder, find_holder
from hotline.api.usage import UsageLog, Use
from hotline.duty import UnknownHotline, describe, find_hotline
from hotline.models import Counselor, Hotline
from hotline.rota_answers import gaps_json, shifts_json, violations_json
from hotline.rota_rules import check_line
from hotline.rota_versions import versions_from
from hotline.runtime import Runtime
from rota import coverage
from rota.localtime import parse_moment, to_instant

api = Blueprint("api", __name__, url_prefix="/api/v1")
PHONES = "phones"
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
    if request.endpoint == "api.openapi":
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="hotline"'}
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "an API token is needed: Authorization: Bearer TOKEN", **challenge)
    state = _state()
    with _runtime().database.read() as session:
        holder = find_holder(session, state.digests, token.strip())
    if holder is None:
        return problem(401, "unknown token", **challenge)
    g.api_holder = holder
    if holder.revoked:
        return problem(401, "this token was revoked", **challenge)
    wait = state.buckets.take(holder.id, holder.rate_per_second)
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


@api.errorhandler(SQLAlchemyError)
@api.errorhandler(deadline.DeadlineExceeded)
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
    with _runtime().database.read() as session:
        line = find_hotline(session, key)
        at = _instant("at", line.timezone)
        version, tiers = _runtime().duty.tiers_at(session, line.id, line.key, at)
        duty = describe(session, line.key, at, version, tiers)
    answer = duty.as_json()
    if PHONES not in _holder().scopes:
        answer["tiers"] = [
            [{"counselor": person.key, "name": person.name} for person in tier]
            for tier in duty.tiers
        ]
    return jsonify(answer)


@api.get("/lines/<key>/gaps")
def gaps(key: str) -> Response:
    with _runtime().database.read() as session:
        line = find_hotline(session, key)
        start = _instant("from", line.timezone)
        end = start + timedelta(days=_days(7))
        found = versions_from(session, line.id, start).gaps(start, end)
    return jsonify(gaps_json(found, line.timezone))


@api.get("/lines/<key>/shifts")
def shifts(key: str) -> Response:
    with _runtime().database.read() as session:
        line = find_hotline(session, key)
        start = _instant("from", line.timezone)
        end = _instant("to", line.timezone, start + timedelta(days=7))
        if not start < end <= start + MAX_SHIFT_WINDOW:
            raise BadRequest("`to` must come after `from`, at most 92 days later")
        segments = versions_from(session, line.id, start).timeline(start, end)
        found = coverage.duty_shifts(segments)
        names = _names(session, {shift.counselor for shift in found})
    return jsonify(shifts_json(found, names, line.timezone))


@api.get("/lines/<key>/violations")
def violations(key: str) -> Response:
    with _runtime().database.read() as session:
        line = find_hotline(session, key)
        start = clock.now()
        found = check_line(session, line, start, start + timedelta(days=_days(28)))
    return jsonify(violations_json(found, line.timezone))


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
