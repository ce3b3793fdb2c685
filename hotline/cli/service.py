"""`hotline serve` and `hotline demo`: the web service, for production or with demo data."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import func, select

from hotline import deadline, logmask
from hotline.accounts import create_demo_users
from hotline.cli.context import database, settings
from hotline.clock import now
from hotline.config.importer import import_configuration
from hotline.migrate import upgrade
from hotline.models import Hotline
from hotline.routing.recovery import load_spool_when_back
from hotline.runtime import routing_context
from hotline.server import DEFAULT_THREADS, default_workers, serve
from hotline.spool import Spool

DEMO_FILE = Path(__file__).resolve().parents[2] / "examples" / "demo.yaml"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=default_workers, show_default=True)
@click.option("--threads", type=click.IntRange(1, 32), default=DEFAULT_THREADS, show_default=True)
def serve_command(host: str, port: int, workers: int, threads: int) -> None:
    """Run the web service (webhooks, web app, probes) with several workers."""
    configure_logging()
    settings()  # stop here, with every problem named, when a setting is wrong
    spool = Spool.of(Path(settings().spool_dir), database().identity_url)
    with deadline.within(deadline.PROBE_BUDGET_S):  # a stalled database must not stall the start
        load_spool_when_back(database(), spool, routing_context(settings()))
    serve(host, port, workers, threads)


@click.command("demo")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def demo_command(port: int) -> None:
    """Migrate, load the demo rota into an empty database, and serve in demo mode, with the
    scheduler beside the web service (one Ctrl-C stops both)."""
    configure_logging()
    follow_port(port)
    if not settings().demo:
        raise click.UsageError("`hotline demo` runs only with HOTLINE_DEMO=1 (use `serve`)")
    upgrade(database().engine)
    with database().write() as session:
        if not session.scalar(select(func.count()).select_from(Hotline)):
            import_configuration(session, DEMO_FILE.read_text(encoding="utf-8"), now())
            click.echo(f"loaded {DEMO_FILE.name} into the empty database")
        logins = create_demo_users(session, now())
    _tell_how(logins, port)
    with scheduler_beside():
        serve("127.0.0.1", port, workers=2)


def follow_port(port: int) -> None:
    """The public URL follows `--port` unless HOTLINE_PUBLIC_URL is set (CONTRACT): webhook
    signatures are checked against it, so a simulated call to another port would be refused.
    Set in the environment before the settings are read: the workers and the scheduler read it."""
    os.environ.setdefault("HOTLINE_PUBLIC_URL", f"http://127.0.0.1:{port}")


def _tell_how(logins: list[tuple[str, str, str]], port: int) -> None:
    click.echo(
        f"\nhotline demo on http://127.0.0.1:{port}  (demo logins: password = demo-USERNAME)"
    )
    for username, password, role in logins[:5]:
        click.echo(f"  {role:<11} {username:<20} {password}")
    click.echo(f"  counselor   one account per counselor, e.g. {logins[-1][0]} / {logins[-1][1]}")
    url = settings().public_url
    to_url = "" if url == "http://127.0.0.1:8000" else f" --url {url}"
    click.echo(
        "\nPlace a simulated call (in another terminal); who is on duty depends on the hour:\n"
        "  HOTLINE_DEMO=1 .venv/bin/hotline rota on-duty city\n"
        f"  HOTLINE_DEMO=1 .venv/bin/hotline simulate-call city{to_url}"
        " --answer KEY-OF-ONE-ON-DUTY\n"
        "It rings in real time (add --hang-up-after 10, or --fallback-answers, to see more);\n"
        "then sign in as that counselor to record its outcome, and as supervisor to review it.\n"
    )


@contextmanager
def scheduler_beside() -> Iterator[subprocess.Popen[bytes]]:
    """`hotline scheduler` as a child process, on this process's database and public URL, for
    as long as the block runs; stopped (SIGTERM, then SIGKILL) when the block ends."""
    parent = os.getpid()
    current = settings()
    environment = {
        **os.environ,
        "HOTLINE_DATABASE_URL": current.database_url,
        "HOTLINE_PUBLIC_URL": current.public_url,
    }
    child = subprocess.Popen([sys.executable, "-m", "hotline", "scheduler"], env=environment)
    try:
        yield child
    finally:
        # gunicorn forks its workers inside the block, and a worker leaves it by SystemExit:
        # only the process that started the scheduler stops it.
        if os.getpid() == parent:
            stop_child(child)


def stop_child(child: subprocess.Popen[bytes], wait_s: float = 25.0) -> None:
    if child.poll() is None:
        child.terminate()
    try:
        child.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logmask.install()
