"""Time to TwiML while the database stalls, against `hotline serve` with its default workers and
threads: a private PostgreSQL cluster paused with SIGSTOP (its postmaster and every backend,
while the pool's connections rest), then SQLite's write lock held by another connection.

    .venv/bin/python bench/stall.py [--waves 4] [--skip-postgresql]

PostgreSQL: `--waves` waves of 5 `/incoming` and 5 `/fallback` at once (20 of each by
default). SQLite: twice 9 `/incoming` and 9 `/fallback` at once. Prints p50 and max seconds per
endpoint, and whether every answer dialed the line's fallback number. Needs the PostgreSQL
server binaries (as root, the cluster runs as user postgres).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.deadline import WEBHOOK_BUDGET_S  # noqa: E402
from hotline.server import DEFAULT_THREADS, default_workers  # noqa: E402
from tests.conftest import TEST_ENV  # noqa: E402
from tests.webhooks.conftest import CANARY, CITY, CITY_FALLBACK, ROUTING_CONFIG  # noqa: E402
from tests.webhooks.stalls import (  # noqa: E402
    PrivateCluster,
    postgres_bin,
    prepare,
    serving,
    write_lock_held,
)
from webhooks.simulator import HttpReply, HttpTransport, WebhookClient  # noqa: E402

Timed = tuple[str, float, bool]  # endpoint, seconds to TwiML, dialed the fallback line


class Burst:
    """Signed `/incoming` and `/fallback` requests sent at once, each timed."""

    def __init__(self, base: str) -> None:
        self.base, self.sids = base, itertools.count(1)
        self.client = WebhookClient(HttpTransport(), TEST_ENV["TWILIO_AUTH_TOKEN"])

    def send(self, incoming: int, fallback: int) -> list[Timed]:
        kinds = ["incoming"] * incoming + ["fallback"] * fallback
        with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
            return list(pool.map(self._one, kinds))

    def _one(self, kind: str) -> Timed:
        form = [("CallSid", f"CA{next(self.sids):032d}"), ("From", CANARY), ("To", CITY)]
        began = time.monotonic()
        reply = self.client.post(f"{self.base}/webhooks/voice/{kind}", form)
        return kind, time.monotonic() - began, _to_the_fallback(reply)


def _to_the_fallback(reply: HttpReply) -> bool:
    numbers = [n.text for n in ET.fromstring(reply.body).iter("Number")]
    return reply.status == 200 and numbers == [CITY_FALLBACK]


def report(label: str, timed: list[Timed]) -> None:
    for kind in ("incoming", "fallback"):
        seconds = [s for k, s, _ in timed if k == kind]
        fallback = sum(ok for k, _, ok in timed if k == kind)
        print(
            f"{label:<34}{'/' + kind:<11}{len(seconds):>4}{statistics.median(seconds):>9.2f}"
            f"{max(seconds):>9.2f}   {fallback}/{len(seconds)} to the fallback line"
        )


def bench_postgresql(work: Path, waves: int) -> None:
    bin_dir = postgres_bin()
    if bin_dir is None:
        print("no PostgreSQL server binaries: PostgreSQL skipped")
        return
    cluster = PrivateCluster(bin_dir)
    cluster.start()
    try:
        url = cluster.database("stall", ROUTING_CONFIG)
        env = {**TEST_ENV, "HOTLINE_DATABASE_URL": url, "HOTLINE_SPOOL_DIR": str(work / "pg")}
        with serving(env, work) as base:
            burst, timed = Burst(base), []
            for _ in range(waves):
                _warm(base)
                time.sleep(1.5)  # the pool's connections rest: the next use pings first
                with cluster.paused():
                    timed += burst.send(5, 5)
            report("PostgreSQL paused (SIGSTOP)", timed)
    finally:
        cluster.stop()


def _warm(base: str) -> None:
    """Every worker's pool holds connections again (a stall breaks the ones it catches)."""
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda _: HttpTransport().get(base + "/readyz", {}), range(20)))


def bench_sqlite(work: Path) -> None:
    path = work / "locked.db"
    prepare(f"sqlite:///{path}", ROUTING_CONFIG)
    env = {**TEST_ENV, "HOTLINE_DATABASE_URL": f"sqlite:///{path}"}
    with serving({**env, "HOTLINE_SPOOL_DIR": str(work / "sqlite")}, work) as base:
        burst, timed = Burst(base), []
        for _ in range(2):
            with write_lock_held(str(path)):
                timed += burst.send(9, 9)
        report("SQLite write lock held", timed)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--waves", type=int, default=4)
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hotline-stall-"))
    print(
        f"hotline serve: {default_workers()} workers of {DEFAULT_THREADS} threads; "
        f"webhook deadline {WEBHOOK_BUDGET_S:.1f} s"
    )
    print(f"\n{'':<34}{'endpoint':<11}{'n':>4}{'p50 s':>9}{'max s':>9}")
    runs: list[Callable[[], None]] = [lambda: bench_sqlite(work)]
    if not args.skip_postgresql:
        runs.insert(0, lambda: bench_postgresql(work, args.waves))
    for run in runs:
        run()
    print(f"\nlogs in {work}")


if __name__ == "__main__":
    main()
