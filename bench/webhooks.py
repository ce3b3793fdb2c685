"""Webhook throughput and latency of `hotline serve` over loopback, beside a bare Flask endpoint
under the same server settings, measured with wrk in the same run.

    .venv/bin/python bench/webhooks.py [--duration 10] [--workers N] [--engines sqlite,postgresql]

Needs wrk (Debian: apt-get install wrk). Prints requests/s, p50/p99, the ratio to the bare
endpoint and the CPU the load tool used; then a whole call (incoming, screen, choice, dial
action, status) as requests per call and calls per second, placed by the simulator.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text, update  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from hotline.config.importer import import_configuration  # noqa: E402
from hotline.db import Database  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from hotline.models import Counselor  # noqa: E402
from hotline.server import default_workers  # noqa: E402
from webhooks.simulator import HttpTransport, Simulator, accept  # noqa: E402

TOKEN = "bench-auth-token-0123456789abcdef"
LINE = "+8657463898070"
CALLER = "+8613800138000"
STAFF = [f"+86139000{n:05d}" for n in range(1, 9)]
CONFIG = f"""\
hotlines:
  - {{key: city, name: 慈溪市心理援助热线, number: "{LINE}", timezone: Asia/Shanghai,
     fallback_number: "+8657487112345"}}
counselors:
{chr(10).join(f'  - {{key: c{i}, name: 咨询师{i}, phone: "{p}"}}' for i, p in enumerate(STAFF))}
rota:
  - hotline: city
    tier: 1
    weekly: {{days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "00:00"}}
    counselors: [c0, c1, c2, c3, c4]
  - hotline: city
    tier: 2
    weekly: {{days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "00:00"}}
    counselors: [c5, c6, c7]
"""


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool_cpu: float  # cores the load tool itself used


def environment(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "HOTLINE_DATABASE_URL": url,
        "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "HOTLINE_PSEUDONYM_KEY": "v1:" + "ab" * 32,
        "HOTLINE_SECRET_KEY": "bench-" + "0" * 40,
        "HOTLINE_FALLBACK_NUMBER": "+8657400000000",
    }


def prepare_database(
    kind: str, work: Path, pg_url: str, file: str = "bench.db"
) -> tuple[str, str | None]:
    """A migrated database with the bench line; its URL, and the PostgreSQL database's name."""
    name: str | None = None
    if kind == "sqlite":
        url = f"sqlite:///{work / file}"
    else:
        name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    database = Database.from_url(url)
    upgrade(database.engine)
    with database.write() as session:
        import_configuration(session, CONFIG, datetime(2026, 1, 1, tzinfo=UTC))
    database.dispose()
    return url, name


def free_counselors(url: str) -> None:
    database = Database.from_url(url)
    with database.write() as session:
        session.execute(update(Counselor).values(busy_call_sid=None, busy_until=None))
    database.dispose()


def start(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server on port {port} did not start; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


def signed_requests(path: Path, base: str, count: int) -> None:
    url = base + "/webhooks/voice/incoming"
    validator = RequestValidator(TOKEN)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            form = {
                "CallSid": f"CA{uuid.uuid4().hex}",
                "AccountSid": "AC" + "0" * 32,
                "From": f"+86138{n:08d}",
                "To": LINE,
                "CallStatus": "ringing",
                "Direction": "inbound",
                "ApiVersion": "2010-04-01",
            }
            out.write(f"{validator.compute_signature(url, form)}\t{urlencode(form)}\n")


def run_wrk(base: str, connections: int, duration: int, requests: Path) -> Load:
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(ROOT / "bench" / "signed_requests.lua"),
        base + "/webhooks/voice/incoming",
        "--",
        str(requests),
        str(threads),
        "/webhooks/voice/incoming",
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    output = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"wrk failed:\n{output}")
    return Load(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_latency(output, "50%"),
        p99_ms=_latency(output, "99%"),
        errors=_errors(output),
        tool_cpu=(usage.ru_utime + usage.ru_stime) / elapsed,
    )


def _latency(output: str, label: str) -> float:
    match = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _errors(output: str) -> int:
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(g) for g in socket.groups()) if socket else 0
    )


def whole_calls(base: str, count: int) -> tuple[float, float]:
    """(requests per completed call, completed calls per second), one call after another."""
    simulator = Simulator.for_base_url(HttpTransport(), TOKEN, base)
    started, requests = time.monotonic(), 0
    for n in range(count):
        trace = simulator.place_call(f"+86137{n:08d}", LINE, {STAFF[0]: accept(talk_seconds=30)})
        assert trace.bridged_to == STAFF[0], trace.describe()
        requests += len(trace.requests)
    elapsed = time.monotonic() - started
    return requests / count, count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    python = sys.executable
    print(f"{os.cpu_count()} cores, {args.workers} workers of 1 thread, {args.duration} s per load")
    requests = work / "requests.tsv"
    signed_requests(requests, "http://127.0.0.1:8791", 20_000)
    bare_load = yardstick("bare_server.py", 8791, args, work, requests)
    edge_url, _ = prepare_database("sqlite", work, args.pg_url, file="edge.db")
    edge_load = yardstick("edge_server.py", 8791, args, work, requests, edge_url)
    print(
        f"\n{'':<24}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'x bare':>8}{'wrk CPU':>9}"
    )
    print(row("bare endpoint, c=100", bare_load, bare_load))
    print(row("edge, no routing, c=100", edge_load, bare_load))
    for kind in args.engines.split(","):
        bench_engine(kind, args, work, python, bare_load)
    print(f"\nlogs in {work}")


def yardstick(
    script: str,
    port: int,
    args: argparse.Namespace,
    work: Path,
    requests: Path,
    url: str = "sqlite:///unused.db",
) -> Load:
    """Serve bench/`script` with the same settings as `hotline serve`, and load it."""
    command = [sys.executable, str(ROOT / "bench" / script), "--port", str(port),
               "--workers", str(args.workers)]  # fmt: skip
    server = start(command, environment(url, port), port, work / f"{script}.log")
    try:
        return run_wrk(f"http://127.0.0.1:{port}", 100, args.duration, requests)
    finally:
        stop(server)


def bench_engine(kind: str, args: argparse.Namespace, work: Path, python: str, bare: Load) -> None:
    port = 8792
    url, pg_name = prepare_database(kind, work, args.pg_url)
    env = environment(url, port)
    base = f"http://127.0.0.1:{port}"
    server = start(
        [python, "-m", "hotline", "serve", "--port", str(port), "--workers", str(args.workers)],
        env,
        port,
        work / f"{kind}.log",
    )
    try:
        # Each load its own CallSids: a CallSid seen before is a repeat, answered by replay.
        busy_requests, single_requests = work / f"{kind}-c100.tsv", work / f"{kind}-c1.tsv"
        signed_requests(busy_requests, base, 60_000)
        signed_requests(single_requests, base, 20_000)
        busy = run_wrk(base, 100, args.duration, busy_requests)
        free_counselors(url)
        single = run_wrk(base, 1, args.duration, single_requests)
        free_counselors(url)
        per_call, calls_per_s = whole_calls(base, args.calls)
    finally:
        stop(server)
        if pg_name:
            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
    print(row(f"{kind} incoming, c=100", busy, bare))
    print(row(f"{kind} incoming, c=1", single, bare))
    print(
        f"{kind} whole call: {per_call:.1f} requests a call, {calls_per_s:.1f} calls/s one by one"
    )


def row(label: str, load: Load, bare: Load) -> str:
    return (
        f"{label:<24}{load.rps:>8.0f}{load.p50_ms:>9.2f}{load.p99_ms:>9.2f}{load.errors:>8}"
        f"{load.rps / bare.rps:>8.2f}{load.tool_cpu:>9.2f}"
    )


if __name__ == "__main__":
    main()
