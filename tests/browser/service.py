"""The service the browser tests and the screenshots drive: the real app, on a threaded WSGI
server in a thread, on a fresh migrated SQLite database with the demo configuration and the demo
users; its calls come through the Twilio simulator, over HTTP, as Twilio's would.

Outside demo mode (supervisors and administrators enrol a second factor), with `record`
outbound: nothing leaves the machine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher, Type
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from hotline import clock
from hotline.accounts import create_demo_users
from hotline.accounts.passwords import Passwords
from hotline.app import create_app
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.migrate import upgrade
from hotline.models import Call, CallOutcome, Counselor, Hotline
from settings import Settings
from webhooks.simulator import (
    Behaviour,
    CallTrace,
    HttpReply,
    HttpTransport,
    Simulator,
    accept,
)
from webhooks.simulator.transport import Form

DEMO_FILE = Path(__file__).resolve().parents[2] / "examples" / "demo.yaml"
# Fixed secrets, of the lengths production asks for: pseudonyms come out the same every run.
ENVIRONMENT = {
    "TWILIO_ACCOUNT_SID": "AC" + "5" * 32,
    "TWILIO_AUTH_TOKEN": "0123456789abcdef" * 2,
    "HOTLINE_PSEUDONYM_KEY": "v1:" + "4b" * 32,
    "HOTLINE_DATA_KEY": "v1:" + "d7" * 32,
    "HOTLINE_SECRET_KEY": "browser-tests-session-key-" + "9" * 32,
    "HOTLINE_FALLBACK_NUMBER": "+8657487112345",
    "HOTLINE_OUTBOUND": "record",
}
FIRST_CALLER = 13800138000


def cheap_passwords() -> Passwords:
    """Argon2id with tiny costs: the demo users' hashes take no time to make or check."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID))


def demo_password(username: str) -> str:
    return "demo-" + username


@dataclass(frozen=True, slots=True)
class TakenCall:
    """A call a counselor took: its record's id and the counselor's username."""

    id: int
    counselor: str


@dataclass(frozen=True, slots=True)
class SavedOutcome:
    call_type: str
    risk: str
    caller_type: str | None
    age_band: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Demo:
    """What the browser tests' first calls left: who took them, which were answered on the
    city line and which were not (fallback, hung up), the school line's, and a flagged call."""

    counselor: str
    answered: tuple[int, ...]
    unanswered: tuple[int, ...]
    school: int
    flagged: TakenCall


class _Quiet(WSGIRequestHandler):
    """No line per request on stderr (failures still show the app's own log)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Service:
    """The running service: its URL, settings and database; places simulated calls."""

    def __init__(self, server: BaseWSGIServer, settings: Settings, database: Database) -> None:
        self.server, self.settings, self.database = server, settings, database
        self.url = f"http://127.0.0.1:{server.server_port}"  # where it listens
        self.callers = 0

    def call(self, line: str, answers: Mapping[str, Behaviour], **options: Any) -> CallTrace:
        """Ring `line` from a new caller (or `caller=`); `answers` by counselor key (or phone
        number: a fallback line), the others do not answer; more options go to `place_call`."""
        caller = options.pop("caller", None) or self.new_caller()
        with self.database.read() as db:
            number = db.scalar(select(Hotline.number).where(Hotline.key == line))
            phones = {
                key: phone for key, phone in db.execute(select(Counselor.key, Counselor.phone))
            }
        assert number is not None, f"no line {line!r}"
        simulator = Simulator.for_base_url(
            Forwarding(self.settings.public_url, self.url),
            self.settings.twilio_auth_token,
            self.settings.public_url,
            self.settings.twilio_account_sid,
        )
        scripted = {phones.get(key, key): behaviour for key, behaviour in answers.items()}
        options.setdefault("start_at", clock.now())
        trace = simulator.place_call(caller, number, scripted, **options)
        assert not trace.errors, trace.describe()
        return trace

    def new_caller(self) -> str:
        self.callers += 1
        return f"+86{FIRST_CALLER + self.callers}"

    def take_call(self, line: str = "city", **options: Any) -> TakenCall:
        """A call that the first counselor rung takes (everyone would accept)."""
        with self.database.read() as db:
            everyone = list(db.scalars(select(Counselor.key)))
        return self.taken(self.call(line, dict.fromkeys(everyone, accept()), **options))

    def taken(self, trace: CallTrace) -> TakenCall:
        with self.database.read() as db:
            found = db.execute(
                select(Call.id, Counselor.key)
                .join(Counselor, Counselor.id == Call.answered_by_id)
                .where(Call.call_sid == trace.call_sid)
            ).one_or_none()
        assert found is not None, f"nobody took the call:\n{trace.describe()}"
        return TakenCall(found[0], found[1])

    def call_id(self, trace: CallTrace) -> int:
        with self.database.read() as db:
            found = db.scalar(select(Call.id).where(Call.call_sid == trace.call_sid))
        assert found is not None, f"no record of the call:\n{trace.describe()}"
        return found

    def outcome_of(self, call_id: int) -> SavedOutcome | None:
        with self.database.read() as db:
            found = db.scalar(select(CallOutcome).where(CallOutcome.call_id == call_id))
            if found is None:
                return None
            return SavedOutcome(
                found.call_type, found.risk, found.caller_type, found.age_band, found.note
            )


class Forwarding:
    """Twilio's side: what is addressed to the public URL goes to where the service listens
    (they differ when `make screenshots` pictures the public URL of `make run`)."""

    def __init__(self, public_url: str, url: str) -> None:
        self.public_url, self.url, self.http = public_url, url, HttpTransport()

    def post(self, url: str, form: Form, headers: dict[str, str]) -> HttpReply:
        return self.http.post(self._to(url), form, headers)

    def get(self, url: str, headers: dict[str, str]) -> HttpReply:
        return self.http.get(self._to(url), headers)

    def _to(self, url: str) -> str:
        if not url.startswith(self.public_url):
            return url
        return self.url + url.removeprefix(self.public_url)


@contextmanager
def running_service(
    directory: Path,
    *,
    public_url: str | None = None,
    passwords: Passwords | None = None,
    now: Callable[[], datetime] | None = None,
) -> Iterator[Service]:
    """The service on a free port of 127.0.0.1 until the block ends. `public_url`: the URL
    Twilio is told and links point to (default: where it listens); `now`: when the demo data
    is loaded (default: `hotline.clock.now`)."""
    passwords = passwords or cheap_passwords()
    server = make_server("127.0.0.1", 0, _not_yet, threaded=True, request_handler=_Quiet)
    settings = Settings.from_env(
        {
            **ENVIRONMENT,
            "HOTLINE_DATABASE_URL": f"sqlite:///{directory / 'hotline.db'}",
            "HOTLINE_PUBLIC_URL": public_url or f"http://127.0.0.1:{server.server_port}",
            "HOTLINE_SPOOL_DIR": str(directory / "spool"),
        }
    )
    database = Database.from_url(settings.database_url)
    try:
        load_demo(database, passwords, (now or clock.now)())
        server.app = demo_app(settings, database, passwords, directory)
        serving = threading.Thread(target=server.serve_forever, name="browser-tests-server")
        serving.start()
        try:
            yield Service(server, settings, database)
        finally:
            server.shutdown()
            serving.join()
    finally:
        server.server_close()
        database.dispose()


def load_demo(database: Database, passwords: Passwords, now: datetime) -> None:
    """Migrate, import `examples/demo.yaml` and create the demo users, as `hotline demo` does."""
    upgrade(database.engine)
    with database.write() as db:
        import_configuration(db, DEMO_FILE.read_text(encoding="utf-8"), now)
        create_demo_users(db, now, passwords)


def demo_app(settings: Settings, database: Database, passwords: Passwords, home: Path) -> Flask:
    app = create_app(settings, database, spool_dir=home / "spool")
    app.extensions["hotline.accounts"].passwords = passwords  # the hashes' own costs are tiny
    return app


def _not_yet(environ: Any, start_response: Any) -> list[bytes]:
    """The server's app until the real one is built (its URL is known only once bound)."""
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting\n"]
