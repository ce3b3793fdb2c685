"""Health and readiness probes: alive without a database, ready only with one."""

from __future__ import annotations

from flask import Flask

from hotline.runtime import runtime
from tests.webhooks.test_faults import DatabaseDown


def test_healthz_answers_without_touching_the_database(app: Flask) -> None:
    runtime(app).database = DatabaseDown()
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_says_503_while_the_database_is_unreachable(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    runtime(app).database = DatabaseDown()
    reply = client.get("/readyz")
    assert reply.status_code == 503
    assert b"Traceback" not in reply.data
