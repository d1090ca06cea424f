"""Alembic environment: the engine comes from the caller (db.session.alembic_config).

On SQLite the migrations run with foreign keys off, checked once at the end, as SQLite's own
procedure for changing a table says (https://sqlite.org/lang_altertable.html#otheralter). Batch
mode copies a table into `_alembic_tmp_<table>` and drops the old one; with foreign keys on,
that DROP deletes the rows one by one, and each deletion looks for rows referring to it. The
copy of `action_update` refers to `action_update` itself (`supersedes_id`) and has no index
yet, so each of the table's rows was a scan of the copy: minutes at 200,000 updates.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine

from db.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):  # pragma: no cover - only via db.session
    raise RuntimeError("run migrations through `ofsted-bot db upgrade`")


def _foreign_keys(connection: Connection, on: bool) -> None:
    """PRAGMA foreign_keys outside any transaction (inside one SQLite ignores it)."""
    dbapi: Any = connection.connection.dbapi_connection
    cursor = dbapi.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration broke foreign keys (nothing was changed): {broken[:5]}")


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_foreign_keys(connection)
        connection.commit()
    finally:
        if sqlite:
            connection.rollback()
            _foreign_keys(connection, on=True)
