"""A per-process copy of something in the database, re-read at most every so often."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_NEVER = float("-inf")


class RefreshingCopy(Generic[T]):
    """A copy shared by the threads of a process, and the rule that keeps it fresh.

    A caller that finds the copy `every_seconds` old or more reads it afresh and swaps the new
    one in; every other caller takes the copy in hand. The read runs outside the lock, which
    guards only the swap: a slow database stalls the callers that read it, never those that
    only need the copy. Callers that find the copy due at once each read (none waits for
    another's read); of their copies, the one whose read started last is kept, so a slow read
    never replaces a newer one. The age counts from the swap, as it did before this module.
    """

    def __init__(
        self,
        empty: T,
        every_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every_seconds = every_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._copy = empty
        self._started = _NEVER  # when the read of the copy in hand started
        self._swapped = _NEVER  # when it was swapped in: the age is counted from here

    def current(self, read: Callable[[T], T]) -> T:
        """The copy, first re-read by `read` (handed the copy in hand) when it is due."""
        started = self._monotonic()
        if started - self._swapped < self.every_seconds:
            return self._copy
        fresh = read(self._copy)  # never under the lock (see the rule above)
        with self._lock:
            if started >= self._started:
                self._copy, self._started, self._swapped = fresh, started, self._monotonic()
            return self._copy

    def advance(self, step: Callable[[T], T]) -> T:
        """Swap in `step(copy in hand)` now, whatever the copy's age: for a caller whose own
        read showed something newer. `step` runs under the lock, so it must not read the
        database; it hands back the copy itself when it has nothing newer."""
        with self._lock:
            fresh = step(self._copy)
            if fresh is not self._copy:
                now = self._monotonic()
                self._copy, self._started, self._swapped = fresh, now, now
            return self._copy

    def last_known(self) -> T:
        """The copy in hand, for when the database cannot be asked."""
        return self._copy

    def seed(self, copy: T) -> bool:
        """Hold `copy` (from a file, say) until the first read: a read always wins over it."""
        with self._lock:
            if self._started != _NEVER:
                return False
            self._copy = copy
            return True
