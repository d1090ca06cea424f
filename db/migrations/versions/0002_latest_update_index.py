"""index for an action's latest update: (action_id, created_at, id)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_update_action_latest", ["action_id", "created_at", "id"], unique=False
        )
        batch_op.drop_index("ix_action_update_action_created")


def downgrade() -> None:
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_update_action_created", ["action_id", "created_at"], unique=False
        )
        batch_op.drop_index("ix_action_update_action_latest")
