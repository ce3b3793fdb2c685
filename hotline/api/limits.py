"""Per-token rate limits: a token bucket per token, shared by every worker of `hotline serve`.

The buckets live in an anonymous shared memory map made before gunicorn forks its workers
(`share_between_workers`), so a token's limit holds for the whole server, not per process;
elsewhere (tests, a single process) each app has its own. Across several hosts, each host
counts alone. `time.monotonic` is one clock for every process of a Linux host.
"""

from __future__ import annotations

import math
import mmap
import multiprocessing
import struct
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

_SLOT = struct.Struct("=qdd")  # token id, tokens left, when last filled (monotonic seconds)
SLOTS = 4096


class Buckets:
    """Token buckets keyed by token id: `rate` requests a second, as many at once.

    A slot holds one token id; a token whose slot another holds (ids equal modulo `SLOTS`)
    takes it over with a full bucket: more than 4096 tokens in use at once would loosen
    their limits, never refuse a request wrongly.
    """

    def __init__(
        self,
        *,
        shared: bool = False,
        slots: int = SLOTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._slots = slots
        self._clock = clock
        self._memory = mmap.mmap(-1, _SLOT.size * slots)  # anonymous, MAP_SHARED: forks see it
        self._lock: AbstractContextManager[object] = (
            multiprocessing.get_context("fork").Lock() if shared else threading.Lock()
        )

    def take(self, token_id: int, rate: int) -> float:
        """Take one request from the token's bucket: 0 when allowed, else the seconds until
        one is allowed again."""
        offset = (token_id % self._slots) * _SLOT.size
        with self._lock:
            now = self._clock()
            held, left, filled = _SLOT.unpack_from(self._memory, offset)
            if held != token_id:
                left, filled = float(rate), now
            left = min(float(rate), left + (now - filled) * rate)
            if left >= 1:
                _SLOT.pack_into(self._memory, offset, token_id, left - 1, now)
                return 0.0
            _SLOT.pack_into(self._memory, offset, token_id, left, now)
            return float((1 - left) / rate)


def retry_after(wait_s: float) -> str:
    """`Retry-After` is whole seconds: round up, at least 1."""
    return str(max(1, math.ceil(wait_s)))


_shared: Buckets | None = None


def share_between_workers() -> None:
    """Called by `hotline serve` before the workers are forked."""
    global _shared
    _shared = Buckets(shared=True)


def buckets_for_app() -> Buckets:
    """The server's shared buckets under `hotline serve`; a fresh set for any other app."""
    return _shared if _shared is not None else Buckets()
