from __future__ import annotations

from sqlalchemy import inspect

from db.database import Database
from db.models import Base
from db.session import (
    SCHEMA_HEAD,
    current_revision,
    downgrade,
    head_revision,
    stored_revision,
)


def test_upgrade_from_empty_then_downgrade_to_nothing(database_url: str) -> None:
    database = Database.connect(database_url)
    try:
        assert current_revision(database.engine) is None
        database.upgrade()
        assert current_revision(database.engine) == head_revision(database.engine)
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables

        downgrade(database.engine, "base")
        assert current_revision(database.engine) is None
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}

        database.upgrade()  # and up again: the downgrade left nothing behind
        assert database.is_up_to_date()
    finally:
        database.dispose()


def test_migrations_match_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to do: the migrations describe exactly the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    database = Database.connect(database_url)
    try:
        database.upgrade()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.dispose()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path: object) -> None:
    database = Database.connect(f"sqlite:///{tmp_path}/x.db")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    database.dispose()


def test_prepare_upgrades_sqlite_and_loads_default_plans(tmp_path: object) -> None:
    from pathlib import Path

    from db.plans import plan_summaries

    plans = Path(__file__).parent / "fixtures" / "plans" / "small.yaml"
    database = Database.connect(f"sqlite:///{tmp_path}/fresh.db")
    report = database.prepare(plans)
    assert report is not None
    assert report.created["plans"] == 1
    assert database.prepare(plans) is None  # not empty any more: nothing imported again
    with database.sessions() as session:
        assert [s.key for s in plan_summaries(session)] == ["ilacs-2023"]
    database.dispose()


def test_the_schema_head_constant_is_alembics_head(database_url: str) -> None:
    database = Database.connect(database_url)
    try:
        assert head_revision(database.engine) == SCHEMA_HEAD
        assert stored_revision(database.engine) is None
        assert not database.is_up_to_date()
        database.upgrade()
        assert stored_revision(database.engine) == current_revision(database.engine) == SCHEMA_HEAD
        assert database.is_up_to_date()
    finally:
        database.dispose()
