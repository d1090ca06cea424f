"""due-date requests the board decides; when a nudge was last updated in place

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:30:00.000000

- due_date_request: a new due date asked for in the update form is a request, pending until
  the board's secretary or an admin approves or rejects it (before, the date moved at once);
- delivery.refreshed_at: when a sent nudge was last updated in place (chat.update) to show
  which of its actions have their update.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "due_date_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("due_from", sa.Date(), nullable=True),
        sa.Column("due_to", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'rejected', 'replaced')",
            name=op.f("ck_due_date_request_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_due_date_request_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["action_update.id"],
            name=op.f("fk_due_date_request_update_id_action_update"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["person.id"],
            name=op.f("fk_due_date_request_requested_by_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["person.id"], name=op.f("fk_due_date_request_decided_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_date_request")),
    )
    with op.batch_alter_table("due_date_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_due_date_request_action_id_state", ["action_id", "state"], unique=False
        )
    with op.batch_alter_table("delivery", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("refreshed_at")
    with op.batch_alter_table("due_date_request", schema=None) as batch_op:
        batch_op.drop_index("ix_due_date_request_action_id_state")
    op.drop_table("due_date_request")
