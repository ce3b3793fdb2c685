"""`/api/v1/`: bearer tokens, scopes, revocation, audit, rate limits, errors, and the
OpenAPI description held to the real answers."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, InvalidRequestError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import DetachedInstanceError

from hotline.api.limits import Buckets
from hotline.api.openapi import openapi_document
from hotline.api.tokens import TokenDigests, add_token, revoke_token
from hotline.db import Database
from hotline.deadline import DeadlineExceeded
from hotline.models import ApiToken, AuditEntry, Counselor, Hotline, RotaPattern
from hotline.rota_versions import publish_versions
from settings import Settings

NOW = datetime(2026, 12, 1, tzinfo=UTC)
RULES = {"tier1_staffed": True, "max_weekly_hours": 40}
NEW_PHONE = "+8613900000099"


def make_token(
    database: Database, settings: Settings, name: str, *scopes: str, rate: int = 1000
) -> str:
    with database.write() as session:
        return add_token(session, TokenDigests.of(settings), name, scopes, rate, NOW)


@pytest.fixture
def client(web_app: Flask) -> FlaskClient:
    return web_app.test_client()


@pytest.fixture
def token(records_db: Database, settings: Settings) -> str:
    return make_token(records_db, settings, "wall-screen")


def get(client: FlaskClient, path: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


def test_without_a_valid_token_every_answer_is_401_in_json(client: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer hlt_nope"}, {"Authorization": "Basic x"}):
        answer = client.get("/api/v1/lines/city/on-duty", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert "error" in answer.get_json()


def test_on_duty_is_the_cli_json_without_phones_unless_the_token_has_the_phones_scope(
    client: FlaskClient, records_db: Database, settings: Settings, token: str
) -> None:
    plain = get(client, "/api/v1/lines/city/on-duty?at=2026-12-02T10:00", token)
    assert plain.status_code == 200
    assert plain.get_json() == {
        "hotline": "city",
        "at": "2026-12-02T02:00:00+00:00",
        "tiers": [
            [{"counselor": "wang-li", "name": "王丽"}, {"counselor": "li-na", "name": "李娜"}]
        ],
    }
    assert "+86139" not in plain.get_data(as_text=True)
    phones = make_token(records_db, settings, "hospital", "phones")
    full = get(client, "/api/v1/lines/city/on-duty?at=2026-12-02T10:00", phones).get_json()
    first = full["tiers"][0][0]
    assert first == {"counselor": "wang-li", "name": "王丽", "phone": "+8613900000001"}


def test_a_revoked_token_is_refused_from_its_next_request(
    client: FlaskClient, records_db: Database, token: str
) -> None:
    assert get(client, "/api/v1/lines", token).status_code == 200
    with records_db.write() as session:
        assert revoke_token(session, "wall-screen", NOW)
    assert get(client, "/api/v1/lines", token).status_code == 401


def test_on_duty_answers_a_phone_edit_a_new_version_and_a_revocation_from_the_next_request(
    client: FlaskClient, records_db: Database, settings: Settings
) -> None:
    phones = make_token(records_db, settings, "hospital", "phones")
    url = "/api/v1/lines/city/on-duty?at=2026-12-02T10:00"
    first = get(client, url, phones).get_json()["tiers"]
    assert get(client, url, phones).get_json()["tiers"] == first  # from the index in hand
    with records_db.write() as session:
        session.execute(update(Counselor).where(Counselor.key == "li-na").values(phone=NEW_PHONE))
    assert get(client, url, phones).get_json()["tiers"][0][1]["phone"] == NEW_PHONE
    with records_db.write() as session:
        pattern = session.scalar(select(RotaPattern).where(RotaPattern.counselors.is_not(None)))
        assert pattern is not None
        pattern.counselors = ["li-na"]
        session.flush()
        assert publish_versions(session, NOW)
    # At once, though the index in hand re-reads the newest version only every half second.
    after = get(client, url, phones).get_json()["tiers"]
    assert after == [[{"counselor": "li-na", "name": "李娜", "phone": NEW_PHONE}]]
    with records_db.write() as session:
        assert revoke_token(session, "hospital", NOW)
    assert get(client, url, phones).status_code == 401


def test_every_use_is_audited_with_token_path_and_status_and_the_token_is_never_kept(
    client: FlaskClient, records_db: Database, token: str
) -> None:
    get(client, "/api/v1/lines", token)
    get(client, "/api/v1/lines/nowhere/gaps", token)
    with records_db.read() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.actor == "token:wall-screen")
            .order_by(AuditEntry.id)
        ).all()
        seen = [(e.action, e.target, e.detail["status"], e.at) for e in entries]
        kept = json.dumps([[e.target, e.detail, e.source] for e in entries])
        digests = session.scalars(select(ApiToken.digest)).all()
    assert [found[:3] for found in seen] == [
        ("api-read", "/api/v1/lines", 200),
        ("api-refused", "/api/v1/lines/nowhere/gaps", 404),
    ]
    assert all(found[3] is not None for found in seen)
    assert token not in kept
    assert all(token not in digest and digest.startswith("v3:") for digest in digests)


def test_unknown_line_404_bad_instant_or_window_400_never_500(
    client: FlaskClient, token: str
) -> None:
    cases = {
        "/api/v1/lines/nowhere/on-duty": 404,
        "/api/v1/lines/city/on-duty?at=yesterday": 400,
        "/api/v1/lines/city/on-duty?at=9999-12-31T23:59": 400,
        "/api/v1/lines/city/on-duty?at=0001-01-01T00:00%2B14:00": 400,
        "/api/v1/lines/city/on-duty?at=2026-02-30T10:00": 400,
        "/api/v1/lines/city/gaps?days=0": 400,
        "/api/v1/lines/city/gaps?days=１": 400,
        "/api/v1/lines/city/shifts?from=2026-12-02T00:00&to=2026-12-01T00:00": 400,
        "/api/v1/lines/city/shifts?from=2026-01-01T00:00&to=2026-12-01T00:00": 400,
        "/api/v1/lines/city/violations?days=400": 400,
        "/api/v1/no-such-thing": 404,
    }
    for path, code in cases.items():
        answer = get(client, path, token)
        assert (path, answer.status_code) == (path, code)
        assert "error" in answer.get_json()


def test_past_the_rate_a_token_gets_429_with_retry_after(
    client: FlaskClient, records_db: Database, settings: Settings
) -> None:
    slow = make_token(records_db, settings, "slow", rate=2)
    codes = [get(client, "/api/v1/lines", slow).status_code for _ in range(4)]
    assert codes[:2] == [200, 200]
    assert 429 in codes[2:]
    refused = get(client, "/api/v1/lines", slow)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_bucket_refills_at_its_rate_and_tells_how_long_to_wait() -> None:
    now = [100.0]
    buckets = Buckets(clock=lambda: now[0])
    assert [buckets.take(7, 2) for _ in range(2)] == [0.0, 0.0]
    assert buckets.take(7, 2) == pytest.approx(0.5)
    now[0] += 0.5
    assert buckets.take(7, 2) == 0.0
    assert buckets.take(8, 2) == 0.0  # another token, its own bucket


def test_the_openapi_description_validates_the_real_answers(
    client: FlaskClient, records_db: Database, settings: Settings, token: str
) -> None:
    with records_db.write() as session:
        city = session.scalar(select(Hotline).where(Hotline.key == "city"))
        assert city is not None
        city.coverage_rules = RULES
    phones = make_token(records_db, settings, "hospital", "phones")
    document = get(client, "/api/v1/openapi.json", None).get_json()
    assert document == json.loads(json.dumps(openapi_document()))
    whole = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:openapi", whole)
    # (template, path, token, the status expected, what the answer must hold): a happy path
    # answers exactly 200 with the demo data's content (503 is described for every path, so
    # "described" alone would pass an outage).
    asked: list[tuple[str, str, str | None, int, Callable[[Any], bool]]] = [
        ("/api/v1/lines", "/api/v1/lines", token, 200, _lines_of_the_demo),
        ("/api/v1/lines/{key}/on-duty", "/api/v1/lines/city/on-duty", token, 200, _on_duty),
        ("/api/v1/lines/{key}/on-duty", ON_DUTY_AT, phones, 200, _on_duty_with_phones),
        ("/api/v1/lines/{key}/gaps", "/api/v1/lines/school/gaps?days=30", token, 200, _empty),
        ("/api/v1/lines/{key}/gaps", GAPS_BEFORE_THE_ROTA, token, 200, _gap_to_the_rota),
        ("/api/v1/lines/{key}/shifts", SHIFTS, token, 200, _shifts_of_both),
        ("/api/v1/lines/{key}/violations", VIOLATIONS, token, 200, _weekly_hours_broken),
        ("/api/v1/lines/{key}/on-duty", "/api/v1/lines/nowhere/on-duty", token, 404, _error),
        ("/api/v1/lines/{key}/gaps", "/api/v1/lines/city/gaps?from=soon", token, 400, _error),
        ("/api/v1/lines", "/api/v1/lines", None, 401, _error),
    ]
    for template, path, used, expected, holds in asked:
        answer = get(client, path, used)
        assert (path, answer.status_code) == (path, expected), answer.get_data(as_text=True)
        code = str(answer.status_code)
        assert code in document["paths"][template]["get"]["responses"], (path, code)
        # By reference into the document, so its own `#/components/...` references resolve.
        where = "/".join(["paths", template.replace("/", "~1"), "get", "responses", code])
        schema = {"$ref": f"urn:openapi#/{where}/content/application~1json/schema"}
        validator = Draft202012Validator(schema, registry=registry)
        errors = [e.message for e in validator.iter_errors(answer.get_json())]
        assert errors == [], (path, answer.status_code)
        assert holds(answer.get_json()), (path, answer.get_json())


ON_DUTY_AT = "/api/v1/lines/city/on-duty?at=2026-12-02T10:00"
GAPS_BEFORE_THE_ROTA = "/api/v1/lines/school/gaps?from=2025-12-28T00:00"  # it starts 2026-01-01
SHIFTS = "/api/v1/lines/city/shifts?from=2026-12-01T00:00"
VIOLATIONS = "/api/v1/lines/city/violations?days=14"
SHIFT_KEYS = {"counselor", "name", "tier", "start", "end", "local_start", "local_end"}
VIOLATION_KEYS = {"rule", "start", "end", "detail", "counselor", "local_start", "local_end"}


def _lines_of_the_demo(found: Any) -> bool:
    return [(line["key"], line["timezone"]) for line in found] == [
        ("city", "Asia/Shanghai"),
        ("school", "Europe/London"),
    ]


def _on_duty(found: Any) -> bool:
    people = [person["counselor"] for tier in found["tiers"] for person in tier]
    return found["hotline"] == "city" and people == ["wang-li", "li-na"]


def _on_duty_with_phones(found: Any) -> bool:
    return _on_duty(found) and found["tiers"][0][0]["phone"] == "+8613900000001"


def _empty(found: Any) -> bool:
    return bool(found == [])  # the school line is staffed round the clock


def _gap_to_the_rota(found: Any) -> bool:
    return bool(
        found
        == [
            {
                "start": "2025-12-28T00:00:00Z",
                "end": "2026-01-01T00:00:00Z",
                "local_start": "2025-12-28T00:00:00+00:00",
                "local_end": "2026-01-01T00:00:00+00:00",
                "timezone": "Europe/London",
            }
        ]
    )


def _shifts_of_both(found: Any) -> bool:
    return (
        all(set(shift) == SHIFT_KEYS for shift in found)
        and sorted(shift["counselor"] for shift in found) == ["li-na", "wang-li"]
        and all(shift["local_start"] == "2026-12-01T00:00:00+08:00" for shift in found)
    )


def _weekly_hours_broken(found: Any) -> bool:
    return (
        bool(found)
        and all(set(each) == VIOLATION_KEYS for each in found)
        and {each["rule"] for each in found} == {"max-weekly-hours"}
        and {each["counselor"] for each in found} == {"li-na", "wang-li"}
    )


def _error(found: Any) -> bool:
    return set(found) == {"error"} and bool(found["error"])


def test_every_route_of_the_api_is_described(web_app: Flask) -> None:
    described = set(openapi_document()["paths"])
    routes = {
        rule.rule.replace("<key>", "{key}")
        for rule in web_app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == described


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OperationalError("SELECT 1", {}, Exception("server closed the connection")), 503),
        (InterfaceError("SELECT 1", {}, Exception("connection already closed")), 503),
        (PoolTimeout("QueuePool limit reached"), 503),
        (DeadlineExceeded("the request's time ran out"), 503),
        (sqlite3.OperationalError("interrupted"), 503),  # the raw reads' driver errors
        (DetachedInstanceError("Instance <Hotline> is not bound to a Session"), 500),
        (InvalidRequestError("a misuse of the ORM"), 500),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_only_a_database_that_is_away_is_503_a_bug_is_a_logged_500(
    client: FlaskClient,
    records_db: Database,
    token: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    expected: int,
) -> None:
    @contextmanager
    def failing() -> Iterator[Any]:
        raise error
        yield  # a generator, for contextmanager

    monkeypatch.setattr(records_db, "read", failing)
    answer = get(client, "/api/v1/lines/city/gaps", token)
    assert answer.status_code == expected
    assert "error" in answer.get_json()
    if expected == 503:
        assert answer.headers["Retry-After"] == "5"
    else:
        assert "not available" not in answer.get_data(as_text=True)  # no fake outage
        assert type(error).__name__ in caplog.text  # logged with its traceback
