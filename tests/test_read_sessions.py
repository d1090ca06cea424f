"""Reads end with COMMIT, not ROLLBACK (psycopg drops a connection's prepared statements on every
ROLLBACK, so each lookup was planned afresh on PostgreSQL), and on PostgreSQL a read session
refuses to write (its transactions are READ ONLY)."""

from __future__ import annotations

import pytest
from slackdriver import Driver
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import InternalError

from db.database import Database
from db.models import Plan


def test_a_lookup_ends_its_read_without_a_rollback(staffed_db: Database, slack: Driver) -> None:
    ended: list[str] = []
    event.listen(staffed_db.engine, "commit", lambda _: ended.append("commit"))
    event.listen(staffed_db.engine, "rollback", lambda _: ended.append("rollback"))
    for line in ("rec 4", "action 4.1", "search supervision", "overdue", "plans"):
        ended.clear()
        answer = slack.command(line)
        assert answer.status == 200 and answer.message["blocks"], line
        assert "rollback" not in ended and "commit" in ended, (line, ended)


ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@ON_POSTGRESQL
def test_postgresql_keeps_a_lookups_statement_prepared(staffed_db: Database, slack: Driver) -> None:
    """psycopg prepares a statement run 5 times on a connection; PostgreSQL then skips planning
    it (about 1 ms of a lookup)."""
    for _ in range(8):
        assert slack.command("rec 4").status == 200
    with staffed_db.engine.connect() as connection:  # the pool's one connection here
        prepared = connection.execute(text("SELECT statement FROM pg_prepared_statements"))
        assert any("recommendation" in row.statement for row in prepared)


def test_a_read_session_that_fails_still_rolls_back(staffed_db: Database) -> None:
    ended: list[str] = []
    event.listen(staffed_db.engine, "rollback", lambda _: ended.append("rollback"))
    with pytest.raises(RuntimeError), staffed_db.sessions() as session:
        session.execute(select(Plan.key)).all()
        raise RuntimeError("a lookup that breaks half way")
    assert ended == ["rollback"]


@ON_POSTGRESQL  # SQLite has no read-only transactions (its writers begin IMMEDIATE instead)
def test_a_write_through_a_read_session_is_refused_on_postgresql(staffed_db: Database) -> None:
    with pytest.raises(InternalError, match="read-only"), staffed_db.sessions() as session:
        session.execute(update(Plan).values(title="changed by a read"))
    with staffed_db.sessions() as session:
        assert "changed by a read" not in session.scalars(select(Plan.title)).all()
