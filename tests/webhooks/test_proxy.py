"""Behind a trusted proxy the client's address comes from X-Forwarded-For (login throttling and
the audit log need it); webhook signatures do not depend on the proxy at all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import EnvironBuilder

from hotline.app import create_app
from hotline.db import Database
from settings import Settings
from tests.conftest import TEST_ENV


def _address_seen_by_the_app(settings: Settings, database: Database) -> str:
    app = create_app(settings, database)
    seen: dict[str, Any] = {}

    def inner(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen.update(environ)
        return [b""]

    environ = EnvironBuilder(path="/", headers=[("X-Forwarded-For", "203.0.113.7")]).get_environ()
    environ["REMOTE_ADDR"] = "10.0.0.2"
    if isinstance(app.wsgi_app, ProxyFix):
        app.wsgi_app.app = inner
        app.wsgi_app(environ, _ignore_start)
    else:
        inner(environ, None)
    return str(seen["REMOTE_ADDR"])


def _ignore_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def test_with_one_proxy_hop_the_client_address_is_the_forwarded_one(database: Database) -> None:
    settings = Settings.from_env({**TEST_ENV, "HOTLINE_PROXY_HOPS": "1"})
    assert _address_seen_by_the_app(settings, database) == "203.0.113.7"


def test_without_proxy_hops_a_forwarded_address_is_not_believed(database: Database) -> None:
    assert _address_seen_by_the_app(Settings.from_env(TEST_ENV), database) == "10.0.0.2"
