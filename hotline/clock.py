"""The one place the boundaries read the clock; all logic takes `now` as a parameter."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)
