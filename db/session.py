"""Engines, sessions and schema migrations (Alembic)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT = 10  # seconds: without one, libpq waits as long as the OS does
PG_CONNECT_ARGS: dict[str, int] = {
    "connect_timeout": PG_CONNECT_TIMEOUT,  # 2 s (libpq's least) on the request path: db.deadline
    # a connection whose sent data goes unacknowledged for 2 s is dead (a silent network) ...
    "tcp_user_timeout": 2000,
    # ... and so is an idle one that stops answering keepalives (found before it is used)
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}


def normalise_url(url: str | URL) -> URL:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names (or none)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # SQLAlchemy, not the driver, decides when transactions begin (see _sqlite_begin)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITE = "ofsted_write"


def _sqlite_begin(connection: Any) -> None:
    """Writers take SQLite's write lock when they begin (BEGIN IMMEDIATE), so they queue on the
    busy timeout; a plain BEGIN that later tries to write can fail at once with "database is
    locked" when another writer got there first. Readers begin plainly and never block."""
    immediate = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def missing_sqlite_folder(url: str | URL) -> Path | None:
    """The folder a SQLite file URL names when that folder does not exist (it is never made:
    a mistyped path should be refused, not silently become a new empty database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    folder = Path(database).parent
    return None if folder.is_dir() else folder


class DatabaseUnavailableError(Exception):
    """The database cannot be used as configured; the message is one line for the operator."""


def shown_url(url: str | URL) -> str:
    """A database URL as it may be printed: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    # an error's message shows the statement, not its parameters (what people wrote)
    kwargs.setdefault("hide_parameters", True)
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        folder = missing_sqlite_folder(parsed)
        if folder is not None:
            raise DatabaseUnavailableError(
                f"the folder {folder} of the SQLite file {parsed.database} does not exist"
            )
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args = kwargs.setdefault("connect_args", {})
    for name, value in PG_CONNECT_ARGS.items():
        if name not in parsed.query:
            connect_args.setdefault(name, value)
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


class ReadSession(Session):
    """A session that only reads. On PostgreSQL its transactions are READ ONLY (a write through
    it fails loudly) and one left without an error ends with COMMIT, not ROLLBACK: psycopg
    drops a connection's prepared statements on every ROLLBACK, so each lookup would be planned
    afresh (about 1 ms of its 2-5 ms) and a DEALLOCATE ALL sent after it."""

    def __exit__(self, type_: object, value: object, traceback: object) -> None:
        if type_ is None and self.in_transaction():
            self.commit()
        self.close()


def make_sessionmaker(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """Sessions for reading, or (write=True) for transactions that write."""
    if write:
        return sessionmaker(engine.execution_options(**{WRITE: True}), expire_on_commit=False)
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(postgresql_readonly=True)
    return sessionmaker(engine, class_=ReadSession, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # alembic is imported when migrating, not on every start

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


# The newest migration in db/migrations/versions (a test checks it against Alembic's head). A
# start on an up-to-date database compares it with the stored revision and never loads Alembic
# (with Mako, ~15 MB of a process's memory).
SCHEMA_HEAD = "0013"


def stored_revision(engine: Engine) -> str | None:
    """The revision the database says it is at, read without Alembic (None if none)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def insert_new(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    *,
    unique: Sequence[str],
) -> int:
    """INSERT … ON CONFLICT (unique) DO NOTHING, on either dialect: how many rows were new.
    Safe when several processes insert the same rows at once (the second waits, then skips)."""
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = session.execute(
        insert(model).values(list(rows)).on_conflict_do_nothing(index_elements=list(unique))
    )
    return int(getattr(result, "rowcount", 0) or 0)
