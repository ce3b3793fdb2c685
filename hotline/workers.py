"""The gunicorn worker of `hotline serve`: a threaded worker whose threads run requests one
after another, as a single thread would, and side by side only while one is stuck."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

# A request that has run this long is stuck: the waiting ones start beside it. Longer than a
# webhook takes on a saturated machine (tens of ms), so under plain load requests still run one
# after another; at 0.05 s a burst started every thread of every worker side by side, each
# with its own PostgreSQL connection, for no more throughput (bench/webhooks.py).
PATIENCE_S = 0.25
Work = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class RequestThreads(Executor):
    """Up to `threads` threads run a worker's requests: one after another, as on a single
    thread, while none has run `patience_s` or longer; once one has, it is stuck (a stalled
    database holds it until its deadline) and the waiting requests start beside it, so the
    fallback URL, the probes and a burst of calls never queue behind it. Under load, threads
    running side by side would trade the GIL at every statement, hold SQLite's write lock
    while waiting for it, and each hold a PostgreSQL connection; processes carry the load."""

    def __init__(self, threads: int, patience_s: float) -> None:
        self._threads, self._patience_s = threads, patience_s
        self._lock = threading.Lock()
        self._work_ready = threading.Condition(self._lock)  # idle threads wait here
        self._watch = threading.Condition(self._lock)  # the lookout waits here
        self._queue: deque[Work] = deque()
        self._since: dict[int, float] = {}  # by thread: when the request it runs began
        self._idle = self._waking = self._started = 0
        self._stopped = False
        self._lookout_asleep = False  # waiting with nothing to time
        if patience_s > 0:
            threading.Thread(target=self._look_out, name="lookout", daemon=True).start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            self._queue.append((future, fn, args, kwargs))
            self._hand_out(time.monotonic())
            self._rouse_lookout()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._stopped = True
            self._work_ready.notify_all()
            self._watch.notify_all()

    def _may_start(self, now: float) -> bool:
        """Nothing runs, or what runs longest is stuck."""
        return not self._since or min(self._since.values()) <= now - self._patience_s

    def _hand_out(self, now: float) -> None:
        """Under the lock: wake idle threads, or start new ones, for the work that may start."""
        if not self._may_start(now):
            return
        wanted = len(self._queue) - self._waking
        woken = max(0, min(wanted, self._idle - self._waking))
        self._work_ready.notify(woken)
        self._waking += woken
        for _ in range(min(wanted - woken, self._threads - self._started)):
            self._started += 1
            threading.Thread(target=self._serve, name="request", daemon=True).start()

    def _serve(self) -> None:
        me = threading.get_ident()
        while (work := self._next(me)) is not None:
            future, fn, args, kwargs = work
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)

    def _next(self, me: int) -> Work | None:
        """The next request for thread `me`, once it may start (None: shut down)."""
        with self._lock:
            if self._since.pop(me, None) is not None:  # its last request is done
                self._rouse_lookout()  # what runs longest now may be younger
            while not self._stopped:
                now = time.monotonic()
                if self._queue and self._may_start(now):
                    self._since[me] = now
                    work = self._queue.popleft()
                    self._rouse_lookout()  # it times the next request from now on
                    return work
                self._idle += 1
                self._work_ready.wait()  # until notified: no spurious wake-ups in Python
                self._idle -= 1
                self._waking = max(0, self._waking - 1)
        return None

    def _rouse_lookout(self) -> None:
        """Under the lock: a request waits behind a running one, and the lookout sleeps."""
        if self._lookout_asleep and self._queue and self._since:
            self._watch.notify()

    def _look_out(self) -> None:
        """While requests wait, wake up when the one running longest turns stuck, and start
        the waiting ones beside it. Under load it wakes once a patience; idle, never."""
        with self._lock:
            while not self._stopped:
                now = time.monotonic()
                self._hand_out(now)
                left = self._until_stuck(now)
                self._lookout_asleep = left is None
                self._watch.wait(left)
                self._lookout_asleep = False

    def _until_stuck(self, now: float) -> float | None:
        """Seconds until the request running longest turns stuck, if a request waits for it.
        None if nothing waits, or the wait is for a thread to come free (that thread takes
        the next request itself)."""
        if not self._queue or not self._since:
            return None
        left = min(self._since.values()) + self._patience_s - now
        return left if left > 0 else None


class HotlineWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker (gthread) with `RequestThreads`."""

    def get_thread_pool(self) -> Executor:
        return RequestThreads(self.cfg.threads, PATIENCE_S)
