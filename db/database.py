"""One object holding the engine and session factory, and making the schema ready on start."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from db import session as sessions
from db.deadline import REQUEST_CONNECT_SECONDS, bound_for_requests
from db.plan_import import ImportReport, import_plan_file
from db.plans import has_plans
from db.session import DatabaseUnavailableError, shown_url

__all__ = ["Database", "DatabaseUnavailableError"]

log = logging.getLogger(__name__)


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    writes: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str) -> Database:
        """`sessions` for reading; `writes` for transactions that change data."""
        engine = sessions.make_engine(url)
        return cls(
            engine,
            sessions.make_sessionmaker(engine),
            sessions.make_sessionmaker(engine, write=True),
        )

    def for_requests(self) -> Database:
        """The same database for the request path (Slack waits 3 s): on PostgreSQL, its own
        engine whose every call gives up within db.deadline's bounds; SQLite as it is."""
        if sessions.is_sqlite(self.engine):
            return self
        engine = bound_for_requests(
            sessions.make_engine(
                self.engine.url.render_as_string(hide_password=False),
                connect_args={"connect_timeout": REQUEST_CONNECT_SECONDS},
            )
        )
        return Database(
            engine,
            sessions.make_sessionmaker(engine),
            sessions.make_sessionmaker(engine, write=True),
        )

    @classmethod
    def open(cls, url: str) -> Database:
        """Connect and check at once that the database answers (DatabaseUnavailableError,
        one line naming it, if not)."""
        database = cls.connect(url)
        database.check()
        return database

    @property
    def shown_url(self) -> str:
        """The URL as configured (whatever the driver), the password masked."""
        url = self.engine.url
        return shown_url(url.set(drivername=url.get_backend_name()))

    def check(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            reason = str(exc.orig or exc).strip().splitlines()
            raise DatabaseUnavailableError(
                f"cannot connect to the database {self.shown_url}: "
                f"{reason[0] if reason else type(exc).__name__} (check DATABASE_URL)"
            ) from None

    def upgrade(self, revision: str = "head") -> None:
        sessions.upgrade(self.engine, revision)

    def is_up_to_date(self) -> bool:
        return sessions.stored_revision(self.engine) == sessions.SCHEMA_HEAD

    def prepare(self, plans_file: Path | None) -> ImportReport | None:
        """On start: SQLite upgrades itself; an empty database gets the default plans.

        PostgreSQL is upgraded by the operator (`ofsted-bot db upgrade`), once per release,
        not by every replica on start.
        """
        if sessions.is_sqlite(self.engine):
            if not self.is_up_to_date():
                self.upgrade()
        elif not self.is_up_to_date():
            raise DatabaseUnavailableError(
                f"the schema of the database {self.shown_url} is not up to date: "
                "run `ofsted-bot db upgrade`"
            )
        with self.sessions() as session:
            empty = not has_plans(session)
        if empty and plans_file is not None:
            log.info("empty database: importing %s", plans_file)
            return import_plan_file(self.writes, plans_file)
        return None

    def dispose(self) -> None:
        self.engine.dispose()
