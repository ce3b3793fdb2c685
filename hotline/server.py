"""The production WSGI server: gunicorn with several workers, each building its own app."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from hotline.api.limits import share_between_workers
from hotline.app import create_app
from hotline.workers import HotlineWorker

# The access log names method, path (never the query string), status and time: no bodies.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# Threads are for waiting, not for load (`default_workers`, `hotline.workers`): requests run
# one after another until one is stuck, as on a stalled database until the request deadline
# (`hotline.deadline`). With 16, a worker that took a burst of stalled calls still answers the
# fallback URL and the probes at once, and the calls wait together.
DEFAULT_THREADS = 16


def default_workers() -> int:
    """Processes, not threads, carry the load: a request is CPU-bound Python, and threads of
    one process would wait on each other's GIL at every database round trip."""
    return min(2 * multiprocessing.cpu_count() + 1, 9)


class HotlineServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], factory: Callable[[], Flask] = create_app) -> None:
        self.options = options
        self.factory = factory
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        # Each worker makes its own app, engine and pool after the fork (no preloading).
        app = self.factory()
        # What the app made at start lives as long as the worker: keep the garbage collector
        # from walking it again and again (long pauses land in a webhook's latency).
        gc.freeze()
        return app


def server_options(
    host: str, port: int, workers: int, threads: int = DEFAULT_THREADS
) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": HotlineWorker,
        "threads": threads,
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        # Every access line passes the log mask: a number in a URL path is never logged raw.
        "logger_class": "hotline.logmask.MaskedGunicornLogger",
        "errorlog": "-",
    }


def serve(
    host: str,
    port: int,
    workers: int,
    threads: int = DEFAULT_THREADS,
    factory: Callable[[], Flask] = create_app,
) -> None:
    share_between_workers()  # before the fork: every worker counts a token's requests together
    HotlineServer(server_options(host, port, workers, threads), factory).run()
