"""Real stalls for tests/webhooks/test_stalled_database.py and bench/stall.py: a private
PostgreSQL cluster that can be paused with SIGSTOP, SQLite's write lock held by another
connection, and `hotline serve` in a subprocess."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.migrate import upgrade
from webhooks.simulator import HttpTransport, TransportError

ROOT = Path(__file__).resolve().parents[2]
START_WITHIN_S = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries on this machine, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    which = shutil.which("initdb")
    initdb = found[-1] if found else Path(which) if which else None
    return initdb.parent if initdb else None


class PrivateCluster:
    """A PostgreSQL cluster of its own (a temporary data directory, a free port): pausing it
    with SIGSTOP touches no other test or engineer. As root, it runs as user postgres."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir, self.port = bin_dir, free_port()
        self.home = Path(tempfile.mkdtemp(prefix="hotline-stall-pg-"))
        self.data = self.home / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        program = str(self.bin_dir / command[0])
        subprocess.run([*as_postgres, program, *command[1:]], check=True, capture_output=True)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.home / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.home, ignore_errors=True)

    def database(self, name: str, config: str) -> str:
        """A new migrated database with `config` imported; its URL."""
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(self.url).set(database=name).render_as_string(hide_password=False)
        prepare(url, config)
        return url

    def postmaster(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    @contextmanager
    def paused(self) -> Iterator[None]:
        """The postmaster and all its backends stopped (SIGSTOP), resumed at the end whatever
        happens. The kernel still accepts connections and keeps sockets open meanwhile."""
        postmaster = self.postmaster()
        stopped: list[int] = []
        try:
            for pid in [postmaster, *children_of(postmaster)]:  # no new backend after the first
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
            yield
        finally:
            for pid in stopped:
                try:
                    os.kill(pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass


def children_of(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def prepare(url: str, config: str) -> None:
    database = Database.from_url(url)
    upgrade(database.engine)
    with database.write() as session:
        import_configuration(session, config, datetime(2026, 1, 1, tzinfo=UTC))
    database.dispose()


@contextmanager
def write_lock_held(path: str) -> Iterator[None]:
    """Another connection (not the server's process) holds SQLite's write lock."""
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        yield
    finally:
        writer.close()  # rolls back, and lets go of the lock


@contextmanager
def serving(
    env: dict[str, str], work: Path, *options: str, port: int | None = None
) -> Iterator[str]:
    """`hotline serve` in a subprocess on `env`; its base URL. Stopped at the end."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {**os.environ, **env, "HOTLINE_PUBLIC_URL": base}
    command = [sys.executable, "-m", "hotline", "serve", "--port", str(port), *options]
    with (work / f"serve-{port}.log").open("wb") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(base, server)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    give_up = time.monotonic() + START_WITHIN_S
    while time.monotonic() < give_up and server.poll() is None:
        try:
            if HttpTransport(timeout=1).get(base + "/healthz", {}).status == 200:
                return
        except TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"hotline serve did not start at {base} (exit code {server.poll()})")
