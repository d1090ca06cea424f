"""Alembic environment: the engine comes from the caller (db.session.alembic_config)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from db.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):  # pragma: no cover - only via db.session
    raise RuntimeError("run migrations through `ofsted-bot db upgrade`")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
