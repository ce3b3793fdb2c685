"""A database that stops answering while calls arrive, against a real `hotline serve`:
PostgreSQL paused with SIGSTOP (its kernel still answers TCP, so no timeout of the server or
the link fires) and SQLite's write lock held by another process. Every Twilio request is
answered within 10 s with TwiML to the line's fallback number, the fallback URL and the probes
at once; once the database is back, the next call routes normally (`hotline.deadline`)."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from hotline import deadline
from hotline.db import Database, create_db_engine
from hotline.deadline import WEBHOOK_BUDGET_S
from hotline.workers import PATIENCE_S
from tests.conftest import ENGINES, TEST_ENV
from tests.webhooks.conftest import CANARY, CITY, CITY_FALLBACK, PHONES, ROUTING_CONFIG
from tests.webhooks.stalls import PrivateCluster, postgres_bin, prepare, serving, write_lock_held
from webhooks.simulator import HttpReply, HttpTransport, WebhookClient

ANSWER_WITHIN_S = 10.0  # every Twilio request (Twilio gives up at 15 s)
HEALTHZ_WITHIN_S = 2.0
# `/readyz` gives up after its 1.5 s budget, or after libpq's shortest connect timeout (2 s)
# when the pool has to open a connection to the paused server; it may first wait a worker's
# patience behind a stuck call (`hotline.workers`), and the machine may be loaded.
READYZ_WITHIN_S = PATIENCE_S + 2.0 + 0.5
# What needs no database is answered as if nothing were stuck: no queue behind stalled calls.
# (The figure for /healthz; the bounds leave room for a loaded 2-core CI machine.)
AT_ONCE_S = HEALTHZ_WITHIN_S
# A burst waits for the database together, not one request after another: five calls in turn
# would take five budgets (20 s); together they take one, plus the machine's load.
TOGETHER_S = 2 * WEBHOOK_BUDGET_S
# One worker: every request of a burst lands on it, so its threads alone must carry them.
ONE_WORKER = ("--workers", "1")
Request = Callable[[], HttpReply]


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivateCluster]:
    bin_dir = postgres_bin()
    if "postgresql" not in ENGINES or bin_dir is None:
        pytest.skip("PostgreSQL tests are off, or no PostgreSQL server binaries here")
    cluster = PrivateCluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _environment(url: str, spool: Path) -> dict[str, str]:
    return {**TEST_ENV, "HOTLINE_DATABASE_URL": url, "HOTLINE_SPOOL_DIR": str(spool)}


class Caller:
    """Signed requests as Twilio sends them, to a served base URL."""

    def __init__(self, base: str) -> None:
        self.base, self.sids = base, 0
        self.client = WebhookClient(HttpTransport(), TEST_ENV["TWILIO_AUTH_TOKEN"])

    def _sid(self) -> str:
        self.sids += 1
        return f"CA{self.sids:032d}"

    def incoming(self) -> Request:
        form = [("CallSid", self._sid()), ("From", CANARY), ("To", CITY)]
        return lambda: self.client.post(self.base + "/webhooks/voice/incoming", form)

    def fallback(self) -> Request:
        form = [("CallSid", self._sid()), ("To", CITY), ("ErrorCode", "11205")]
        return lambda: self.client.post(self.base + "/webhooks/voice/fallback", form)

    def probe(self, path: str) -> Request:
        return lambda: HttpTransport().get(self.base + path, {})


def _at_once(requests: list[Request]) -> list[tuple[float, HttpReply]]:
    """Send all at once; each reply with the seconds it took."""

    def timed(request: Request) -> tuple[float, HttpReply]:
        began = time.monotonic()
        reply = request()
        return time.monotonic() - began, reply

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(timed, requests))


def _dialed(reply: HttpReply) -> tuple[list[str | None], str | None]:
    """The numbers a TwiML reply dials, and its callerId."""
    document = ET.fromstring(reply.body)
    dial = document.find("Dial")
    caller_id = dial.get("callerId") if dial is not None else None
    return [number.text for number in document.iter("Number")], caller_id


def _assert_sent_to_the_fallback_line(answers: list[tuple[float, HttpReply]]) -> None:
    for seconds, reply in answers:
        assert reply.status == 200
        assert _dialed(reply) == ([CITY_FALLBACK], CITY)
        assert seconds < ANSWER_WITHIN_S


def test_a_paused_postgresql_sends_calls_to_the_fallback_line_and_keeps_the_probes_answering(
    private_postgres: PrivateCluster, tmp_path: Path
) -> None:
    url = private_postgres.database("paused", ROUTING_CONFIG)
    with serving(_environment(url, tmp_path / "spool"), tmp_path, *ONE_WORKER) as base:
        caller = Caller(base)
        assert caller.probe("/readyz")().status == 200  # the pool holds connections...
        time.sleep(1.5)  # ...that rest long enough to be pinged before their next use
        with private_postgres.paused():
            calls = [caller.incoming() for _ in range(5)]
            uncached = [caller.fallback(), caller.fallback()]
            probes = [caller.probe("/healthz"), caller.probe("/readyz")]
            answers = _at_once([*calls, *uncached, *probes])
        _assert_sent_to_the_fallback_line(answers[:7])
        assert max(seconds for seconds, _ in answers[:5]) < TOGETHER_S
        assert all(seconds < AT_ONCE_S for seconds, _ in answers[5:8])  # fallback, healthz
        (healthz, alive), (readyz, ready) = answers[7:]
        assert (alive.status, ready.status) == (200, 503)
        assert healthz < HEALTHZ_WITHIN_S
        assert readyz < READYZ_WITHIN_S
        after = caller.incoming()()  # the stuck connections are gone; the pool reconnects
        assert _dialed(after) == ([PHONES["wang-li"]], CITY)


def test_a_burst_of_calls_during_a_held_sqlite_write_lock_waits_together(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.db"
    url = f"sqlite:///{path}"
    prepare(url, ROUTING_CONFIG)
    with serving(_environment(url, tmp_path / "spool"), tmp_path, *ONE_WORKER) as base:
        caller = Caller(base)
        with write_lock_held(str(path)):
            calls = [caller.incoming() for _ in range(9)]
            answers = _at_once([*calls, caller.probe("/healthz")])
        _assert_sent_to_the_fallback_line(answers[:9])
        assert max(seconds for seconds, _ in answers[:9]) < TOGETHER_S
        healthz, alive = answers[9]
        assert alive.status == 200
        assert healthz < AT_ONCE_S
        assert _dialed(caller.incoming()()) == ([PHONES["wang-li"]], CITY)


def test_a_checkout_waits_for_a_pooled_connection_no_longer_than_the_deadline(
    tmp_path: Path,
) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'pool.db'}", pool_size=1, max_overflow=0)
    held = engine.raw_connection()  # the pool's only connection, busy elsewhere
    try:
        began = time.monotonic()
        with pytest.raises(PoolTimeout), deadline.within(0.3), Database(engine).read() as session:
            session.execute(text("SELECT 1"))
        assert time.monotonic() - began < 1.0  # not the pool's own 30 s
        with pytest.raises(deadline.DeadlineExceeded), deadline.within(0.0):
            engine.raw_connection()
    finally:
        held.close()
        engine.dispose()


def test_a_held_sqlite_write_lock_is_waited_for_no_longer_than_the_deadline(
    tmp_path: Path,
) -> None:
    path = tmp_path / "busy.db"
    database = Database(create_db_engine(f"sqlite:///{path}"))  # busy timeout: 5 s
    with database.write() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    with write_lock_held(str(path)):
        began = time.monotonic()
        with pytest.raises(OperationalError), deadline.within(0.5), database.write() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
        assert time.monotonic() - began < 1.0
    database.dispose()
