"""Alembic environment: the URL comes from the caller's connection or HOTLINE_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

from hotline.db import create_db_engine
from hotline.models import Base
from settings import DEFAULT_DATABASE_URL

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # `hotline db upgrade` and the tests hand us their connection
        _run(connection)
        return
    url = os.environ.get("HOTLINE_DATABASE_URL") or DEFAULT_DATABASE_URL
    engine = create_db_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `hotline db upgrade`")
run_migrations_online()
