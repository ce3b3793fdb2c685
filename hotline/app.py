"""The application factory: one Flask app with the Twilio edge, the people's web app and probes."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline import deadline, web
from hotline.api import views as api
from hotline.db import Database
from hotline.runtime import Runtime, install_runtime, runtime
from hotline.web.ids import RecordId
from settings import Settings

# Twilio's webhook bodies are a few kilobytes; anything near this limit is not Twilio.
MAX_BODY_BYTES = 64 * 1024
MAX_FORM_PARTS = 200
WEBHOOKS_PREFIX = "/webhooks/"


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    *,
    spool_dir: Path | None = None,
) -> Flask:
    settings = settings or Settings.from_env()
    database = database or Database.from_url(settings.database_url)
    app = Flask(__name__)
    app.url_map.converters["int"] = RecordId  # before any route is added
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_BODY_BYTES,
        MAX_FORM_PARTS=MAX_FORM_PARTS,
        # Twilio's webhooks: no cookie session, no browser headers (see hotline.web.sessions).
        HOTLINE_MACHINE_PATHS=(WEBHOOKS_PREFIX,),
    )
    # Every request's database use ends by its deadline, whatever the database does.
    app.wsgi_app = deadline.RequestDeadlines(app.wsgi_app, _budget)  # type: ignore[method-assign]
    if settings.proxy_hops:
        # Behind N trusted proxies the client's address is in X-Forwarded-For: login throttling
        # and the audit log need it. Webhook signatures never depend on it (HOTLINE_PUBLIC_URL).
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    spool = spool_dir or Path(settings.spool_dir)  # tests hand in their own
    current = Runtime(settings, database, spool_dir=spool)
    install_runtime(app, current)
    _know_the_lines(current)
    if current.spool.pending():  # left by a process that stopped before the database was back
        current.spool_loader.wake()
    _add_probes(app)
    csrf = web.init_app(app)
    api.init_app(app)  # read-only, bearer tokens: no session, no CSRF (GET only)
    # Composition root: the only place the edge is plugged in.
    from webhooks.sms import sms
    from webhooks.voice import voice

    for edge in (voice, sms):
        app.register_blueprint(edge)
        csrf.exempt(edge)  # Twilio signs its requests; it cannot carry our CSRF token
    return app


def _know_the_lines(current: Runtime) -> None:
    """Read every line once at start (and write the cache of them), so the fallback path of a
    fresh worker knows each line's fallback number; with the database down, the cache does."""
    try:
        with deadline.within(deadline.PROBE_BUDGET_S), current.database.read() as session:
            current.lines.current(session)  # a stalled database must not stall the start
    except Exception:  # down at start: the cache read by the directory stands in
        logging.getLogger(__name__).warning("lines read from the cache: the database is down")


def _budget(path: str) -> float | None:
    """The deadline of a request's database use, by what asks (see `hotline.deadline`)."""
    if path.startswith(WEBHOOKS_PREFIX):
        return deadline.WEBHOOK_BUDGET_S
    if path == "/readyz":
        return deadline.PROBE_BUDGET_S
    return None if path == "/healthz" else deadline.PAGE_BUDGET_S


def _add_probes(app: Flask) -> None:
    @app.get("/healthz")
    def healthz() -> tuple[str, int, dict[str, str]]:
        return "ok\n", 200, {"Content-Type": "text/plain"}

    @app.get("/readyz")
    def readyz() -> tuple[str, int, dict[str, str]]:
        try:
            with runtime().database.read() as session:
                session.execute(text("SELECT 1"))
        except Exception:  # any failure to reach the database means "not ready"
            current_app.logger.warning("readiness check: database unreachable")
            return "database unreachable\n", 503, {"Content-Type": "text/plain"}
        return "ready\n", 200, {"Content-Type": "text/plain"}
