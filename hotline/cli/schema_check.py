"""Commands refuse an unmigrated database with exit 2 naming `hotline db upgrade`, before a
query fails with a traceback (and without creating an empty SQLite file on the way)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, make_url, text
from sqlalchemy.exc import DBAPIError

from hotline.db import Database
from hotline.migrate import alembic_config

# `db upgrade` and `demo` make the schema themselves; `serve` starts whatever the database
# is doing (CONTRACT), and says so on /readyz.
UNCHECKED = frozenset({("db", "upgrade"), ("demo",), ("serve",)})
UPGRADE = "run `hotline db upgrade` first"


@cache
def newest_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def missing_sqlite_file(url: str) -> str | None:
    """The problem with a SQLite URL whose file does not exist yet (None: no such problem)."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    path = Path(name)
    if path.exists():
        return None
    return f"no database at {path.resolve()} (HOTLINE_DATABASE_URL={url}): {UPGRADE}"


def schema_problem(database: Database) -> str | None:
    """Why the database cannot serve this version of the code, or None when it can (or when it
    cannot be reached: each command reports that itself)."""
    try:
        with database.read() as session:
            connection = session.connection()
            current: str | None = None
            if inspect(connection).has_table("alembic_version"):
                found = connection.execute(text("SELECT version_num FROM alembic_version"))
                current = found.scalar()
    except DBAPIError:
        return None
    newest = newest_revision()
    if current == newest:
        return None
    where = database.engine.url.render_as_string(hide_password=True)
    state = f"at revision {current}" if current else "empty (no schema)"
    return f"the database {where} is {state}, this version needs {newest}: {UPGRADE}"
