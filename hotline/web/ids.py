"""Record ids in URLs: `<int:...>` accepts only what a database id can be (a 32-bit key), so an
absurd id is a 404 like any missing record, never an error from the database driver."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

LARGEST_ID = 2**31 - 1  # PostgreSQL's `integer`, which every id column is


class RecordId(IntegerConverter):
    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)
