"""CPU of an idle `hotline scheduler`: a fresh SQLite database with nothing to send, every job
firing on its schedule; the process's own CPU time (/proc/PID/stat) over a window after warm-up.

    .venv/bin/python bench/scheduler_idle.py [--seconds 60] [--warmup 10] [--database-url URL]

Prints the percentage of one core. Target: under 1 %.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.db import create_db_engine  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process (fields 14 and 15 of /proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat[stat.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def environment(database_url: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    # Demo mode makes its own secrets (beside the database) and records what it sends.
    return {**kept, "HOTLINE_DEMO": "1", "HOTLINE_DATABASE_URL": database_url}


def measure(database_url: str, workdir: Path, warmup: float, seconds: float) -> tuple[float, float]:
    """(percent of one core over the window, CPU seconds the start-up took)."""
    log = (workdir / "scheduler.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "hotline", "scheduler"],
        env=environment(database_url),
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(warmup)
        if process.poll() is not None:
            raise SystemExit(f"the scheduler exited; see {workdir / 'scheduler.log'}")
        start_cpu, start_wall = cpu_seconds(process.pid), time.monotonic()
        time.sleep(seconds)
        used = cpu_seconds(process.pid) - start_cpu
        return 100 * used / (time.monotonic() - start_wall), start_cpu
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scheduler-idle-") as temporary:
        workdir = Path(temporary)
        url = args.database_url or f"sqlite:///{workdir / 'hotline.db'}"
        engine = create_db_engine(url)
        upgrade(engine)
        engine.dispose()
        percent, startup = measure(url, workdir, args.warmup, args.seconds)
        log_lines = (workdir / "scheduler.log").read_text(encoding="utf-8").splitlines()
    print(f"idle scheduler: {percent:.2f} % of one core over {args.seconds:.0f} s")
    print(f"  start-up (imports, first beat and catch-up): {startup:.2f} s of CPU")
    print(f"  its log: {len(log_lines)} lines, e.g. {log_lines[0] if log_lines else '-'}")


if __name__ == "__main__":
    main()
