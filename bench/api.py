"""`GET /api/v1/lines/{key}/on-duty` under `hotline serve`, beside the bare endpoint of
bench/webhooks.py in the same run: p50/p99 at one connection and requests/s at 100, with one
line (the webhook bench's) and with 300 lines of 300 counselors each; then the rule check of
50 lines over 28 days, in process.

    .venv/bin/python bench/api.py [--duration 5] [--workers N] [--engines sqlite,postgresql]

Needs wrk. The bench's token is made with a rate far above what the machine can ask, so the
limit is counted (as always) but never refuses; the audit log is written as always.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.webhook_setup import drop_database, environment, prepare_database  # noqa: E402
from bench.webhooks import Load, _errors, _latency, start, stop  # noqa: E402
from hotline.db import Database  # noqa: E402
from hotline.models import Counselor, Hotline, RotaPattern  # noqa: E402
from hotline.rota_rules import check_lines  # noqa: E402
from hotline.rota_versions import publish_versions  # noqa: E402
from hotline.server import default_workers  # noqa: E402

LINES, STAFF = 300, 300
RULES = {"tier1_staffed": True, "max_consecutive_nights": 3, "min_rest_hours": 11,
         "max_weekly_hours": 48,
         "qualified": [{"qualification": "psychiatrist", "days": ["tue", "thu", "sat"],
                        "start": "18:00", "end": "22:00"}]}  # fmt: skip
POST_LUA = 'wrk.method = "POST"\nwrk.body = "x=1"\n' + (
    'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
)


def wrk(url: str, connections: int, duration: int, *extra: str) -> Load:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s",
               "--latency", *extra, url]  # fmt: skip
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"wrk failed:\n{output}")
    rps = float(output.split("Requests/sec:")[1].split()[0])
    cpu = (usage.ru_utime + usage.ru_stime) / (time.monotonic() - started)
    return Load(rps, _latency(output, "50%"), _latency(output, "99%"), _errors(output), cpu)


def add_many_lines(url: str) -> None:
    """300 more lines of 300 counselors each: tier 1 a rotation of all 300 every 8 hours,
    tier 2 a weekly slot of five; then their first versions."""
    database = Database.from_url(url)
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    with database.write() as session:
        base = (session.scalar(select(Hotline.position).order_by(Hotline.position.desc())) or 0) + 1
        for n in range(LINES):
            keys = [f"l{n}-c{i}" for i in range(STAFF)]
            session.execute(insert(Counselor), [
                {"key": key, "name": f"咨询师{n}-{i}", "phone": f"+86139{n:03d}{i:05d}",
                 "qualifications": ["psychiatrist"] if i % 50 == 0 else ["counselor"],
                 "languages": ["zh-CN"], "active": True, "position": n * STAFF + i}
                for i, key in enumerate(keys)
            ])  # fmt: skip
            line = Hotline(key=f"line-{n}", name=f"热线{n}", number=f"+86574{n:08d}",
                           timezone="Asia/Shanghai", language="zh-CN", ring_seconds=20,
                           max_wait_seconds=90, ring_strategy="sequential", overflow=[],
                           position=base + n, coverage_rules=RULES if n < 50 else None)  # fmt: skip
            session.add(line)
            session.flush()
            session.add_all([
                RotaPattern(hotline_id=line.id, key="rotation", position=2 * n, tier=1,
                            kind="rotation", spec={"start": "2026-01-05T08:00", "every": "8h"},
                            counselors=keys, valid_from=None, valid_until=None),
                RotaPattern(hotline_id=line.id, key="backup", position=2 * n + 1, tier=2,
                            kind="weekly", spec={"days": days, "start": "00:00", "end": "00:00"},
                            counselors=keys[:5], valid_from=None, valid_until=None),
            ])  # fmt: skip
        session.flush()
        publish_versions(session, datetime(2026, 1, 2, tzinfo=UTC))
    database.dispose()


def rule_check_seconds(url: str) -> tuple[int, float]:
    database = Database.from_url(url)
    with database.read() as session:
        lines = [line for line in session.scalars(select(Hotline)) if line.coverage_rules]
        now = datetime.now(UTC)
        started = time.perf_counter()
        found = check_lines(session, lines, now, now + timedelta(days=28))
        elapsed = time.perf_counter() - started
    database.dispose()
    assert len(found) == 50, len(found)
    return sum(len(v) for v in found.values()), elapsed


def make_token(url: str, port: int) -> str:
    made = subprocess.run(
        [sys.executable, "-m", "hotline", "token", "add", "bench", "--rate", "1000000"],
        env=environment(url, port), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return made.stdout.strip()


def row(label: str, single: Load, busy: Load) -> str:
    return (f"{label:<34}{single.p50_ms:>9.2f}{single.p99_ms:>9.2f}{busy.rps:>10.0f}"
            f"{busy.p99_ms:>10.2f}{single.errors + busy.errors:>8}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    started_load = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="hotline-bench-api-"))
    post = work / "post.lua"
    post.write_text(POST_LUA)
    rows, checks = [], []
    bare_port, port = 8794, 8795
    command = [sys.executable, str(ROOT / "bench" / "bare_server.py"), "--port",
               str(bare_port), "--workers", str(args.workers)]  # fmt: skip
    env = environment("sqlite:///unused.db", bare_port)
    bare = start(command, env, bare_port, work / "bare.log")
    bare_url = f"http://127.0.0.1:{bare_port}/webhooks/voice/incoming"
    try:
        wrk(bare_url, 100, 2, "-s", str(post))
        single = wrk(bare_url, 1, args.duration, "-s", str(post))
        busy = wrk(bare_url, 100, args.duration, "-s", str(post))
        rows.append(row("bare endpoint (POST, webhooks.py)", single, busy))
        for kind in args.engines.split(","):
            url, pg_name = prepare_database(kind, work, args.pg_url, file=f"api-{kind}.db")
            token = make_token(url, port)
            try:
                for size in ("1 line", f"{LINES} lines x {STAFF}"):
                    if size != "1 line":
                        add_many_lines(url)
                        checks.append((kind, *rule_check_seconds(url)))
                    rows.append(bench_server(kind, size, url, token, port, args, work))
            finally:
                if pg_name:
                    drop_database(args.pg_url, pg_name)
    finally:
        stop(bare)
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, {args.workers} workers, {args.duration} s per load, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end, "
          f"{started_load[0]:.2f} at the start")  # fmt: skip
    print(f"\n{'':<34}{'c=1 p50':>9}{'p99 ms':>9}{'c=100 r/s':>10}{'p99 ms':>10}{'errors':>8}")
    for each in rows:
        print(each)
    for kind, count, seconds in checks:
        print(
            f"\n{kind}: rule check of 50 lines over 28 days: {seconds:.3f} s ({count} violations)"
        )
    print(f"\nlogs in {work}")


def bench_server(
    kind: str, size: str, url: str, token: str, port: int, args: argparse.Namespace, work: Path
) -> str:
    """Start `hotline serve` on the database, ask a line's on-duty at c=1 and c=100."""
    command = [sys.executable, "-m", "hotline", "serve", "--port", str(port),
               "--workers", str(args.workers)]  # fmt: skip
    server = start(command, environment(url, port), port, work / f"{kind}-{len(size)}.log")
    line = "city" if size == "1 line" else f"line-{LINES - 1}"
    target = f"http://127.0.0.1:{port}/api/v1/lines/{line}/on-duty"
    header = ["-H", f"Authorization: Bearer {token}"]
    try:
        wrk(target, 100, 2, *header)  # each worker builds its index first
        single = wrk(target, 1, args.duration, *header)
        busy = wrk(target, 100, args.duration, *header)
    finally:
        stop(server)
    return row(f"{kind} on-duty, {size}", single, busy)


if __name__ == "__main__":
    main()
