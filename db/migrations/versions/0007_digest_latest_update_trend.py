"""digest: each action's latest standing update, stored trend points, an index by time

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00.000000

- action.latest_update_id: the newest update that stands (not retracted, not superseded),
  backfilled here and kept by every write that adds an update version;
- meeting.rag_counts: the RAG totals of a past meeting, for the digest's trend;
- ix_action_update_created_at: updates since a date (the digest's changes, the trend replay).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE action SET latest_update_id = (
    SELECT u.id FROM action_update u
    WHERE u.action_id = action.id AND u.retracted = false
      AND NOT EXISTS (SELECT 1 FROM action_update l WHERE l.supersedes_id = u.id)
    ORDER BY u.created_at DESC, u.id DESC
    LIMIT 1
)
"""


def upgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latest_update_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rag_counts", sa.JSON(), nullable=True))
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index("ix_action_update_created_at", ["created_at", "id"], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_index("ix_action_update_created_at")
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): copying the tables, as batch mode
    # would, cannot drop `action` while updates refer to it
    with op.batch_alter_table("meeting", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("rag_counts")
    with op.batch_alter_table("action", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("latest_update_id")
