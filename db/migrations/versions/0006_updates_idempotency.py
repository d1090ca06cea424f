"""updates: idempotency key, direct messages as a source, kept replies' status and RAG

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:00:00.000000

- action_update.idempotency_key (unique): a slash command or a form sent twice is one update;
- update source "direct message": DMs were recorded as mentions; those (channel D…) move over;
- pending_reply.status and .rag: a reply kept for "which action?" keeps its status word.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SOURCES = ["thread reply", "modal", "slash", "mention", "shortcut", "import", "system"]
STATUSES = ["not started", "on track", "at risk", "off track", "complete", "signed off"]
RAGS = ["red", "amber", "green"]


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sources(values: list[str]) -> None:
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_action_update_update_source"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_action_update_update_source"), _in("source", values)
        )


def upgrade() -> None:
    # one batch: on SQLite each batch copies the whole table (200,000 updates: seconds each)
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_action_update_idempotency_key"), ["idempotency_key"]
        )
        batch_op.drop_constraint(op.f("ck_action_update_update_source"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_action_update_update_source"), _in("source", [*SOURCES, "direct message"])
        )
    op.execute(
        "UPDATE action_update SET source = 'direct message' "
        "WHERE source = 'mention' AND slack_channel LIKE 'D%'"
    )
    with op.batch_alter_table("pending_reply", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    *STATUSES,
                    name="pending_status",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "rag",
                sa.Enum(
                    *RAGS, name="pending_rag", native_enum=False, create_constraint=True, length=20
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("pending_reply", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_pending_reply_pending_rag"), type_="check")
        batch_op.drop_constraint(op.f("ck_pending_reply_pending_status"), type_="check")
        batch_op.drop_column("rag")
        batch_op.drop_column("status")
    op.execute("UPDATE action_update SET source = 'mention' WHERE source = 'direct message'")
    _sources(SOURCES)
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_action_update_idempotency_key"), type_="unique")
        batch_op.drop_column("idempotency_key")
