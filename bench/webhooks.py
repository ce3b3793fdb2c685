"""Webhook throughput and latency of `hotline serve` over loopback, beside a bare Flask endpoint
under the same server settings, measured with wrk in the same run.

    .venv/bin/python bench/webhooks.py [--duration 8] [--rounds 3] [--workers N]
                                       [--engines sqlite,postgresql]

Needs wrk (Debian: apt-get install wrk). Prints requests/s, p50/p99, the ratio to the bare
endpoint and the CPU the load tool used; then a whole call (incoming, screen, choice, dial
action, status) as requests per call and calls per second, placed by the simulator.

A shared machine's speed drifts by tens of percent within minutes, so the bare endpoint stays up
all run and is loaded right before and right after each load it is compared with: each ratio
is taken against the mean of those two, and the median of `--rounds` ratios is reported (with
the lowest and highest). Every load of the service signs its own new CallSids.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook_setup import (  # noqa: E402
    LINE,
    STAFF,
    TOKEN,
    drop_database,
    environment,
    free_counselors,
    prepare_database,
    signed_requests,
)
from hotline.server import DEFAULT_THREADS, default_workers  # noqa: E402
from webhooks.simulator import HttpTransport, Simulator, accept  # noqa: E402


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool_cpu: float  # cores the load tool itself used


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
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    print(f"{os.cpu_count()} cores, {args.workers} workers of {DEFAULT_THREADS} threads "
          f"(one at a time until one is stuck), {args.duration} s per load, "
          f"{args.rounds} rounds")  # fmt: skip
    bare = Bench(args, work)
    try:
        rows = []
        edge_url, _ = prepare_database("sqlite", work, args.pg_url, file="edge.db")
        rows.append(bare.compare("edge, no routing", "edge_server.py", edge_url))
        singles = []
        for kind in args.engines.split(","):
            busy, single, whole = bench_engine(kind, args, work, bare)
            rows.append(busy)
            singles.append((kind, single, whole))
    finally:
        bare.stop()
    rows.insert(0, bare.yardstick_row())
    print(f"\n{'c=100':<24}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'x bare (median, range)':>25}{'wrk CPU':>9}")  # fmt: skip
    for row in rows:
        print(row)
    print(f"\n{'c=1':<24}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind, single, _ in singles:
        print(f"{kind + ' incoming':<24}{single.rps:>8.0f}{single.p50_ms:>9.2f}"
              f"{single.p99_ms:>9.2f}{single.errors:>8}")  # fmt: skip
    for kind, _, (per_call, calls_per_s) in singles:
        print(f"{kind} whole call: {per_call:.1f} requests a call, "
              f"{calls_per_s:.1f} calls/s one by one")  # fmt: skip
    print(f"\nlogs in {work}")


class Bench:
    """The bare endpoint, up all run, and loads compared with it (see the module docstring)."""

    PORT = 8791

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.requests = work / "bare.tsv"  # the bare endpoint checks no signature
        signed_requests(self.requests, self.base, 5_000)
        command = [sys.executable, str(ROOT / "bench" / "bare_server.py"),
                   "--port", str(self.PORT), "--workers", str(args.workers)]  # fmt: skip
        env = environment("sqlite:///unused.db", self.PORT)
        self.server = start(command, env, self.PORT, work / "bare_server.log")
        warm_up(self.base, self.requests)
        self.loads: list[Load] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.PORT}"

    def load(self) -> Load:
        found = run_wrk(self.base, 100, self.args.duration, self.requests)
        self.loads.append(found)
        return found

    def stop(self) -> None:
        stop(self.server)

    def yardstick_row(self) -> str:
        """Every load of the bare endpoint in the run, the median one shown."""
        return row("bare endpoint", self.loads, [load.rps for load in self.loads], ratio=False)

    def rounds(self, label: str, load: Callable[[], Load]) -> str:
        """`--rounds` loads, each between two loads of the bare endpoint."""
        loads, ratios = [], []
        before = self.load()
        for _ in range(self.args.rounds):
            measured = load()
            after = self.load()
            loads.append(measured)
            ratios.append(measured.rps / ((before.rps + after.rps) / 2))
            before = after
        return row(label, loads, ratios)

    def compare(self, label: str, script: str, url: str) -> str:
        """Serve bench/`script` with the same settings as `hotline serve`, and load it."""
        port = 8793
        command = [sys.executable, str(ROOT / "bench" / script), "--port", str(port),
                   "--workers", str(self.args.workers)]  # fmt: skip
        server = start(command, environment(url, port), port, self.work / f"{script}.log")
        requests = self.work / f"{script}.tsv"
        signed_requests(requests, f"http://127.0.0.1:{port}", 30_000)
        try:
            base = f"http://127.0.0.1:{port}"
            warm_up(base, requests)
            return self.rounds(label, lambda: run_wrk(base, 100, self.args.duration, requests))
        finally:
            stop(server)


def bench_engine(
    kind: str, args: argparse.Namespace, work: Path, bare: Bench
) -> tuple[str, Load, tuple[float, float]]:
    port = 8792
    url, pg_name = prepare_database(kind, work, args.pg_url)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "hotline", "serve", "--port", str(port),
               "--workers", str(args.workers)]  # fmt: skip
    server = start(command, environment(url, port), port, work / f"{kind}.log")
    signed = iter(range(1_000))

    def fresh(count: int) -> Path:
        """New CallSids for each load: a CallSid seen before is a repeat, answered by replay."""
        path = work / f"{kind}-{next(signed)}.tsv"
        signed_requests(path, base, count)
        return path

    try:
        warm_up(base, fresh(10_000))
        busy = bare.rounds(
            f"{kind} incoming", lambda: run_wrk(base, 100, args.duration, fresh(30_000))
        )
        free_counselors(url)
        single = run_wrk(base, 1, args.duration, fresh(20_000))
        free_counselors(url)
        whole = whole_calls(base, args.calls)
    finally:
        stop(server)
        if pg_name:
            drop_database(args.pg_url, pg_name)
    return busy, single, whole


def warm_up(base: str, requests: Path) -> None:
    """Two seconds of load first: each worker's first requests build its per-process copies."""
    run_wrk(base, 100, 2, requests)


def row(label: str, loads: list[Load], ratios: list[float], ratio: bool = True) -> str:
    middle = sorted(range(len(loads)), key=lambda n: ratios[n])[len(loads) // 2]
    load, median = loads[middle], ratios[middle]
    spread = f"{median:.2f} ({min(ratios):.2f}-{max(ratios):.2f})" if ratio else "1.00"
    return (
        f"{label:<24}{load.rps:>8.0f}{load.p50_ms:>9.2f}{load.p99_ms:>9.2f}"
        f"{sum(each.errors for each in loads):>8}{spread:>25}{load.tool_cpu:>9.2f}"
    )


if __name__ == "__main__":
    main()
