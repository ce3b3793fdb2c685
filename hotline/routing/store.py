"""The statements of the call-routing hot path, run on the DBAPI cursor of the transaction.

A webhook has 15 s in all, but at the second a call arrives what counts is how many calls a
worker can route: through the ORM session and SQLAlchemy's execution machinery a statement
costs several times what the database spends on it. So these few statements are compiled once
per dialect by SQLAlchemy, with SQLAlchemy's own type conversions for their parameters and
columns (the same stored forms as everywhere else), and then run as plain DBAPI calls.

Routing's writes go this one way: a routing transaction reads the call and its attempts
here as plain values (`hotline.routing.attempts`), and writes back exactly what it changed, in
the order the code says. No ORM object of a call or an attempt changes in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Column,
    String,
    Table,
    bindparam,
    column,
    func,
    insert,
    null,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import BindParameter, ClauseElement

from hotline.db import Database
from hotline.models import Call, CallAttempt, Counselor
from hotline.records.vocabulary import AttemptResult, CallResult
from hotline.routing import leases
from hotline.routing.attempts import Attempt, CallState, Person

_calls = cast(Table, Call.__table__)
_attempts = cast(Table, CallAttempt.__table__)
_counselors = cast(Table, Counselor.__table__)

_CALL_COLUMNS = (
    "call_sid", "hotline_id", "arrived_at", "plan", "result", "dial_step", "dial_round",
    "caller", "caller_link", "status", "rota_version",
)  # fmt: skip
_ATTEMPT_COLUMNS = (
    "call_id", "step", "round", "kind", "hotline_id", "tier", "target", "counselor_id",
    "rota_version", "started_at", "ended_at", "result",
)  # fmt: skip
_PERSON_COLUMNS = ("key", "id", "phone", "active", "busy_call_sid", "busy_until")
_STATE_COLUMNS = (
    "id", "call_sid", "hotline_id", "arrived_at", "plan", "result", "dial_step", "dial_round",
    "answered_at", "answered_by_id", "answered_line_id",
)  # fmt: skip
# What a finished dial changes on a call (`update_call`).
_ROUTED_COLUMNS = (
    "result", "dial_step", "dial_round", "answered_at", "answered_by_id", "answered_line_id",
)  # fmt: skip
_READ_ATTEMPT_COLUMNS = (
    "id", "step", "round", "kind", "hotline_id", "target", "counselor_id", "ended_at", "result",
)  # fmt: skip


class _Compiled:
    """One statement in the dialect's SQL and parameter style, with its type conversions."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, columns: Sequence[Column[Any]]):
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        self.positional = bool(dialect.positional)
        names = compiled.positiontup if self.positional else list(compiled.binds)
        assert names is not None
        self.slots = [(name, _bind_processor(compiled.binds[name], dialect)) for name in names]
        self.read = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]

    def params(
        self, values: dict[str, Any], done: dict[tuple[int, int], Any] | None = None
    ) -> Sequence[Any] | dict[str, Any]:
        """The statement's parameters from `values`, converted for the driver; `done` caches
        conversions by object across the rows of a batch (a loop, not a helper function: this
        runs for every value of every statement of a new call)."""
        if done is None:
            done = {}
        converted = []
        for name, convert in self.slots:
            value = values[name]
            if convert is not None:
                key = (id(convert), id(value))
                found = done.get(key, done)
                if found is done:
                    found = done[key] = convert(value)
                value = found
            converted.append(value)
        if self.positional:
            return converted
        return dict(zip((name for name, _ in self.slots), converted, strict=True))

    def row(self, raw: Sequence[Any]) -> list[Any]:
        pairs = zip(self.read, raw, strict=True)
        return [value if read is None else read(value) for read, value in pairs]


def _bind_processor(bind: BindParameter[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    return bind.type.dialect_impl(dialect).bind_processor(dialect)


class _Statements:
    """The hot path's statements for one dialect (the counselors' `IN` list by its length)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        calls = _calls.c
        self.insert_call = _Compiled(
            insert(_calls)
            .values({name: bindparam(name) for name in _CALL_COLUMNS})
            .returning(calls.id),
            dialect,
            [calls.id],
        )
        self.claim = _Compiled(leases.claim_statement(), dialect, [])
        self.insert_attempt = _Compiled(
            insert(_attempts).values({name: bindparam(name) for name in _ATTEMPT_COLUMNS}),
            dialect,
            [],
        )
        self.insert_attempts_json = (
            _Compiled(_attempts_from_json(), dialect, []) if dialect.name == "postgresql" else None
        )
        self._staff: dict[int, _Compiled] = {}
        state = [calls[name] for name in _STATE_COLUMNS]
        self.call = _Compiled(
            select(*state).where(calls.call_sid == bindparam("sid")), dialect, state
        )
        self.update_call = _Compiled(
            update(_calls)
            .where(calls.id == bindparam("call_id"))
            .values({name: bindparam(name) for name in _ROUTED_COLUMNS}),
            dialect,
            [],
        )
        attempts = _attempts.c
        read = [attempts[name] for name in _READ_ATTEMPT_COLUMNS]
        self.attempts = _Compiled(
            select(*read)
            .where(attempts.call_id == bindparam("call_id"), attempts.step == bindparam("step"))
            .where(attempts.round == bindparam("round"))
            .order_by(attempts.id),
            dialect,
            read,
        )
        targets = [attempts.target, attempts.result]
        self.targets = _Compiled(
            select(*targets).where(attempts.call_id == bindparam("call_id")), dialect, targets
        )
        self.end_attempt = _Compiled(
            update(_attempts)
            .where(attempts.id == bindparam("attempt_id"))
            .values(ended_at=bindparam("ended_at"), result=bindparam("result")),
            dialect,
            [],
        )
        self.release = _Compiled(
            update(_counselors)
            .where(_counselors.c.busy_call_sid == bindparam("sid"))
            .where(_counselors.c.key == bindparam("k"))
            .values(busy_call_sid=null(), busy_until=null()),
            dialect,
            [],
        )

    def staff(self, count: int) -> _Compiled:
        found = self._staff.get(count)
        if found is None:
            keys = [bindparam(f"k{n}", type_=_counselors.c.key.type) for n in range(count)]
            columns = [_counselors.c[name] for name in _PERSON_COLUMNS]
            statement = select(*columns).where(_counselors.c.key.in_(keys))
            found = self._staff[count] = _Compiled(statement, self.dialect, columns)
        return found


def _attempts_from_json() -> ClauseElement:
    """PostgreSQL: a round's attempts in one statement from one JSON parameter. A server
    executes an `executemany` row by row, each a round trip's worth of work on both sides,
    which made this the dearest statement of a new call (SQLite, in-process, has no such cost).
    """
    names = [name for name in _ATTEMPT_COLUMNS if name != "call_id"]
    rows = (
        func.json_to_recordset(sql_cast(bindparam("rows", type_=String), JSON))
        .table_valued(*(column(name, _attempts.c[name].type) for name in names))
        .render_derived(with_types=True)
    )
    call_id = bindparam("call_id", type_=_attempts.c.call_id.type)
    return insert(_attempts).from_select(
        ["call_id", *names], select(call_id, *(rows.c[name] for name in names))
    )


_STATEMENTS: dict[Dialect, _Statements] = {}


def _statements_for(dialect: Dialect) -> _Statements:
    found = _STATEMENTS.get(dialect)
    if found is None:
        found = _STATEMENTS[dialect] = _Statements(dialect)
    return found


class Store:
    """The hot path's statements on the DBAPI connection of a transaction opened elsewhere."""

    def __init__(self, dbapi_connection: Any, dialect: Dialect) -> None:
        self._cursor = dbapi_connection.cursor()
        self._sql = _statements_for(dialect)

    @classmethod
    def of(cls, session: Session) -> Store:
        """On the session's connection, in the session's transaction, after whatever the
        session has pending (flushed here, so nothing the session holds is written later)."""
        session.flush()
        connection = session.connection()
        return cls(connection.connection.dbapi_connection, connection.dialect)

    def _run(self, statement: _Compiled, values: dict[str, Any]) -> Any:
        self._cursor.execute(statement.sql, statement.params(values))
        return self._cursor

    def insert_call(self, state: CallState, **columns: Any) -> int:
        """Insert the new call as routing leaves it, with the record's other columns."""
        values = {
            "call_sid": state.call_sid, "hotline_id": state.hotline_id,
            "arrived_at": state.arrived_at, "plan": state.plan, "result": state.result,
            "dial_step": state.dial_step, "dial_round": state.dial_round, **columns,
        }  # fmt: skip
        statement = self._sql.insert_call
        state.id = int(statement.row(self._run(statement, values).fetchone())[0])
        return state.id

    def call(self, call_sid: str) -> CallState | None:
        statement = self._sql.call
        raw = self._run(statement, {"sid": call_sid}).fetchone()
        if raw is None:
            return None
        values = dict(zip(_STATE_COLUMNS, statement.row(raw), strict=True))
        return CallState(**{**values, "result": CallResult(values["result"])})

    def update_call(self, call: CallState) -> None:
        """Write what routing changed on a saved call (see `_ROUTED_COLUMNS`)."""
        assert call.id is not None
        values = {name: getattr(call, name) for name in _ROUTED_COLUMNS}
        self._run(self._sql.update_call, {**values, "call_id": call.id})

    def attempts(self, call_id: int, step: int, round_: int) -> list[Attempt]:
        statement = self._sql.attempts
        rows = self._run(statement, {"call_id": call_id, "step": step, "round": round_})
        found = []
        for raw in rows.fetchall():
            values = dict(zip(_READ_ATTEMPT_COLUMNS, statement.row(raw), strict=True))
            result = values["result"]
            found.append(Attempt(**{**values, "result": AttemptResult(result) if result else None}))
        return found

    def targets(self, call_id: int) -> list[tuple[str, AttemptResult | None]]:
        """Every target of the call's attempts so far, with its result."""
        statement = self._sql.targets
        rows = self._run(statement, {"call_id": call_id}).fetchall()
        return [(target, AttemptResult(result) if result else None) for target, result in rows]

    def end_attempts(self, attempts: list[Attempt]) -> None:
        """Write the end and result of each attempt given."""
        if attempts:
            statement = self._sql.end_attempt
            params = [
                statement.params({"attempt_id": a.id, "ended_at": a.ended_at, "result": a.result})
                for a in attempts
            ]
            self._cursor.executemany(statement.sql, params)

    def release(self, call_sid: str, keys: list[str]) -> None:
        """Free the counselors among `keys` whose lease `call_sid` holds."""
        if keys:
            statement = self._sql.release
            params = [statement.params({"sid": call_sid, "k": key}) for key in keys]
            self._cursor.executemany(statement.sql, params)

    def insert_attempts(self, call_id: int, rows: list[dict[str, Any]]) -> None:
        if rows and self._sql.insert_attempts_json is not None:
            document = json.dumps(rows, default=_instant)
            self._run(self._sql.insert_attempts_json, {"call_id": call_id, "rows": document})
        elif rows:
            statement = self._sql.insert_attempt
            # One converter cache for the batch: its rows share their instants.
            done: dict[tuple[int, int], Any] = {}
            params = [statement.params({**row, "call_id": call_id}, done) for row in rows]
            self._cursor.executemany(statement.sql, params)

    def staff(self, keys: set[str]) -> dict[str, Person]:
        if not keys:
            return {}
        statement = self._sql.staff(len(keys))
        values = {f"k{n}": key for n, key in enumerate(sorted(keys))}
        people = (Person(*statement.row(row)) for row in self._run(statement, values).fetchall())
        return {person.key: person for person in people}

    def claim(self, key: str, call_sid: str, until: datetime, now: datetime) -> bool:
        """Reserve `key` for `call_sid` unless another call holds an unexpired lease on them,
        or another counselor one on their phone: one conditional UPDATE that also takes an
        expired lease, atomic on both engines (`leases.claim_statement`)."""
        values = {"k": key, "sid": call_sid, "until": until, "now": now}
        return bool(self._run(self._sql.claim, values).rowcount == 1)


def _instant(value: object) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # with its offset: the server reads the same instant
    raise TypeError(f"not JSON for an attempt: {type(value).__name__}")


@contextmanager
def write_transaction(database: Database) -> Iterator[Store]:
    """One write transaction for a new call, below the ORM session (see the module docstring).

    A unique key taken first by a concurrent transaction (the same CallSid twice at once) comes
    out as SQLAlchemy's `IntegrityError`, as from a session.
    """
    dialect = database.engine.dialect
    dbapi = dialect.loaded_dbapi
    with database.raw_write() as connection:
        try:
            yield Store(connection, dialect)
        except dbapi.IntegrityError as exc:
            raise IntegrityError("a unique key was taken first", None, exc) from exc
