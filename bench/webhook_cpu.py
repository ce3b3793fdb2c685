"""CPU time per incoming webhook inside one process: the app's WSGI callable driven with signed
requests, no server and no load tool. Steadier than throughput on a shared machine, it shows
where a webhook's time goes; bench/webhooks.py gives the figures under load.

    .venv/bin/python bench/webhook_cpu.py [--requests 3000] [--profile]
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Prints the CPU per request of: the bare Flask endpoint, our edge with routing replaced by a
fixed decision, and the real service on a database (default: a new SQLite file), where every
counselor is busy after the first calls (the bench line of bench/webhooks.py).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from twilio.request_validator import RequestValidator  # noqa: E402

import webhooks.voice as voice_edge  # noqa: E402
from bench.bare_server import create_bare_app  # noqa: E402
from bench.edge_server import fixed_decision  # noqa: E402
from bench.webhook_setup import (  # noqa: E402
    LINE,
    TOKEN,
    drop_database,
    environment,
    prepare_database,
)
from hotline.app import create_app  # noqa: E402

PORT = 8791
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def signed_environ(n: int) -> dict[str, Any]:
    form = {
        "CallSid": f"CA{uuid.uuid4().hex}", "AccountSid": "AC" + "0" * 32,
        "From": f"+86138{n:08d}", "To": LINE, "CallStatus": "ringing",
        "Direction": "inbound", "ApiVersion": "2010-04-01",
    }  # fmt: skip
    url = f"http://127.0.0.1:{PORT}/webhooks/voice/incoming"
    body = urlencode(form).encode()
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/webhooks/voice/incoming", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(PORT), "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_TWILIO_SIGNATURE": RequestValidator(TOKEN).compute_signature(url, form),
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": f"127.0.0.1:{PORT}",
    }  # fmt: skip


def drive(app: WsgiApp, environs: list[dict[str, Any]]) -> None:
    status: list[str] = []
    for environ in environs:
        status.clear()
        b"".join(app(environ, lambda s, h, e=None: status.append(s)))
        if not status[0].startswith("200"):
            raise SystemExit(f"webhook answered {status[0]}")


def cpu_per_request(app: WsgiApp, count: int, profile: bool) -> float:
    drive(app, [signed_environ(n) for n in range(300)])  # each per-process copy built
    environs = [signed_environ(n) for n in range(count)]
    profiler = cProfile.Profile() if profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    drive(app, environs)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return (time.process_time() - started) / count * 1000


def measure(args: argparse.Namespace, url: str) -> None:
    bare = cpu_per_request(create_bare_app(), args.requests, False)
    real_routing = vars(voice_edge)["route_incoming"]
    setattr(voice_edge, "route_incoming", fixed_decision)  # noqa: B010  (as bench/edge_server.py)
    edge = cpu_per_request(create_app(), args.requests, False)
    setattr(voice_edge, "route_incoming", real_routing)  # noqa: B010
    real = cpu_per_request(create_app(), args.requests, args.profile)
    engine = url.split(":", 1)[0].split("+", 1)[0]
    print(f"CPU per incoming webhook, in process ({args.requests} requests each):")
    print(f"  bare Flask endpoint   {bare:6.3f} ms")
    print(f"  edge, no routing      {edge:6.3f} ms")
    print(f"  service on {engine:<10} {real:6.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument(
        "--url", help="a PostgreSQL server to make a scratch database on (default: SQLite)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the real service")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hotline-cpu-"))
    server_url = args.url or ""
    kind = "postgresql" if server_url.startswith("postgresql") else "sqlite"
    url, made = prepare_database(kind, work, server_url)  # a new SQLite file, or a new database
    os.environ.update(environment(url, PORT))
    try:
        measure(args, url)
    finally:
        if made:
            drop_database(server_url, made)


if __name__ == "__main__":
    main()
