"""`/api/v1/`: bearer tokens, scopes, revocation, audit, rate limits, errors, and the
OpenAPI description held to the real answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from hotline.api.limits import Buckets
from hotline.api.openapi import openapi_document
from hotline.api.tokens import TokenDigests, add_token, revoke_token
from hotline.db import Database
from hotline.models import ApiToken, AuditEntry, Hotline
from settings import Settings

NOW = datetime(2026, 12, 1, tzinfo=UTC)
RULES = {"tier1_staffed": True, "max_weekly_hours": 40}


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
    asked = [
        ("/api/v1/lines", "/api/v1/lines", token),
        ("/api/v1/lines/{key}/on-duty", "/api/v1/lines/city/on-duty", token),
        ("/api/v1/lines/{key}/on-duty", "/api/v1/lines/city/on-duty?at=2026-12-02T10:00", phones),
        ("/api/v1/lines/{key}/gaps", "/api/v1/lines/school/gaps?days=30", token),
        ("/api/v1/lines/{key}/shifts", "/api/v1/lines/city/shifts?from=2026-12-01T00:00", token),
        ("/api/v1/lines/{key}/violations", "/api/v1/lines/city/violations?days=14", token),
        ("/api/v1/lines/{key}/on-duty", "/api/v1/lines/nowhere/on-duty", token),
        ("/api/v1/lines/{key}/gaps", "/api/v1/lines/city/gaps?from=soon", token),
        ("/api/v1/lines", "/api/v1/lines", None),
    ]
    for template, path, used in asked:
        answer = get(client, path, used)
        code = str(answer.status_code)
        assert code in document["paths"][template]["get"]["responses"], (path, code)
        # By reference into the document, so its own `#/components/...` references resolve.
        where = "/".join(["paths", template.replace("/", "~1"), "get", "responses", code])
        schema = {"$ref": f"urn:openapi#/{where}/content/application~1json/schema"}
        validator = Draft202012Validator(schema, registry=registry)
        errors = [e.message for e in validator.iter_errors(answer.get_json())]
        assert errors == [], (path, answer.status_code)
    assert get(client, "/api/v1/lines/city/violations?days=14", token).get_json()  # not vacuous


def test_every_route_of_the_api_is_described(web_app: Flask) -> None:
    described = set(openapi_document()["paths"])
    routes = {
        rule.rule.replace("<key>", "{key}")
        for rule in web_app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == described
