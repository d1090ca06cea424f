"""One object holding the engine and session factory, and making the schema ready on start."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db import session as sessions
from db.plan_import import ImportReport, import_plan_file
from db.queries import has_plans

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

    def upgrade(self, revision: str = "head") -> None:
        sessions.upgrade(self.engine, revision)

    def is_up_to_date(self) -> bool:
        return sessions.current_revision(self.engine) == sessions.head_revision(self.engine)

    def prepare(self, plans_file: Path | None) -> ImportReport | None:
        """On start: SQLite upgrades itself; an empty database gets the default plans.

        PostgreSQL is upgraded by the operator (`ofsted-bot db upgrade`), once per release,
        not by every replica on start.
        """
        if sessions.is_sqlite(self.engine):
            self.upgrade()
        elif not self.is_up_to_date():
            raise RuntimeError("the database schema is not up to date: run `ofsted-bot db upgrade`")
        with self.sessions() as session:
            empty = not has_plans(session)
        if empty and plans_file is not None:
            log.info("empty database: importing %s", plans_file)
            return import_plan_file(self.writes, plans_file)
        return None

    def dispose(self) -> None:
        self.engine.dispose()
