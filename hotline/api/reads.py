"""The API's read of a request: one statement, on the DBAPI cursor, outside a transaction.

The token is read on every request (so a revocation holds from the next one, in every
process), and with it what the answer needs of the database: for `on-duty`, the line, the
newest rota version id (the watermark of the per-process `DutyIndex`) and the names and
phones of the counselors the index says are on duty. One statement is one snapshot on both
engines, and one round trip; compiled once per dialect and shape by SQLAlchemy, with its own
type conversions, then run as a plain DBAPI call (as `hotline.routing.store` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, false, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Select

from hotline.api.tokens import TokenHolder
from hotline.db import Database
from hotline.duty import OnDuty
from hotline.models import ApiToken, Counselor, Hotline, RotaVersion

_tokens = cast(Table, ApiToken.__table__)
_lines = cast(Table, Hotline.__table__)
_staff = cast(Table, Counselor.__table__)
_versions = cast(Table, RotaVersion.__table__)
_KEPT_SHAPES = 256  # statements kept per process: one per count of digests and of people


@dataclass(frozen=True, slots=True)
class DutyRead:
    """What one on-duty request read: `holder` None for an unknown token, `line_id` None for
    an unknown line; `people` by key, those of the keys asked for that exist."""

    holder: TokenHolder | None
    line_id: int | None = None
    timezone: str = ""
    newest: int = 0
    people: dict[str, OnDuty] = field(default_factory=dict)


class _Compiled:
    """A select in the dialect's SQL and parameter style, with its columns' conversions."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = bool(dialect.positional)
        names = compiled.positiontup if self.positional else list(compiled.binds)
        assert names is not None
        self.names = list(names)
        self.convert = [
            each.type.dialect_impl(dialect).result_processor(dialect, None)
            for each in statement.selected_columns
        ]

    def run(self, connection: Any, values: dict[str, Any]) -> list[list[Any]]:
        params: Sequence[Any] | dict[str, Any] = (
            [values[name] for name in self.names]
            if self.positional
            else {name: values[name] for name in self.names}
        )
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        convert = self.convert
        return [
            [raw if read is None else read(raw) for read, raw in zip(convert, row, strict=True)]
            for row in rows
        ]


_compiled: dict[tuple[str, str, int, int], _Compiled] = {}


def _token_columns() -> list[ColumnElement[Any]]:
    t = _tokens.c
    return [t.id, t.name, t.scopes, t.rate_per_second, t.revoked_at.is_not(None)]


def _digest_match(digests: int) -> ColumnElement[bool]:
    return _tokens.c.digest.in_([bindparam(f"d{n}") for n in range(digests)])


def _holder_statement(digests: int) -> Select[Any]:
    return select(*_token_columns()).where(_digest_match(digests))


def _duty_statement(digests: int, people: int) -> Select[Any]:
    """The token, joined to the line (none or one), the watermark, and the people (none or
    several): a row per person found, the token's and line's columns repeated."""
    newest = select(func.max(_versions.c.id)).scalar_subquery()  # NULL: no version yet
    asked = _staff.c.key.in_([bindparam(f"k{n}") for n in range(people)]) if people else false()
    joined = _tokens.outerjoin(_lines, _lines.c.key == bindparam("line")).outerjoin(_staff, asked)
    columns = [_lines.c.id, _lines.c.timezone, newest, _staff.c.key, _staff.c.name]
    return (
        select(*_token_columns(), *columns, _staff.c.phone)
        .select_from(joined)
        .where(_digest_match(digests))
    )


def _statement(dialect: Dialect, kind: str, digests: int, people: int = 0) -> _Compiled:
    key = (f"{dialect.name}+{dialect.driver}", kind, digests, people)
    found = _compiled.get(key)
    if found is None:
        made = _holder_statement(digests) if kind == "holder" else _duty_statement(digests, people)
        found = _Compiled(made, dialect)
        if len(_compiled) < _KEPT_SHAPES:
            _compiled[key] = found
    return found


def _holder(row: Sequence[Any]) -> TokenHolder:
    return TokenHolder(row[0], row[1], frozenset(row[2]), row[3], bool(row[4]))


def read_holder(database: Database, digests: list[str]) -> TokenHolder | None:
    """Whose token has one of `digests` (see `TokenDigests.all`), in one statement."""
    statement = _statement(database.engine.dialect, "holder", len(digests))
    with database.raw_read() as connection:
        rows = statement.run(connection, {f"d{n}": d for n, d in enumerate(digests)})
    return _holder(rows[0]) if rows else None


def read_duty(database: Database, digests: list[str], line: str, keys: Sequence[str]) -> DutyRead:
    """The token, the line `line`, the watermark and the counselors `keys`, in one statement."""
    statement = _statement(database.engine.dialect, "duty", len(digests), len(keys))
    values: dict[str, Any] = {f"d{n}": d for n, d in enumerate(digests)}
    values |= {f"k{n}": key for n, key in enumerate(keys)}
    values["line"] = line
    with database.raw_read() as connection:
        rows = statement.run(connection, values)
    if not rows:
        return DutyRead(None)
    first = rows[0]
    people = {row[8]: OnDuty(row[8], row[9], row[10]) for row in rows if row[8] is not None}
    return DutyRead(_holder(first), first[5], first[6] or "", int(first[7] or 0), people)
