"""drop columns nothing reads or writes: delivery.action_id, person.is_admin

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00.000000

- delivery.action_id: deliveries name their meeting; no delivery was ever tied to one action;
- person.is_admin: admins are the ADMINS setting; nothing ever set the column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # delivery is copied (batch mode on SQLite: a column in a foreign key cannot simply be
    # dropped there); nothing refers to delivery, so the copy is safe
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_constraint("fk_delivery_action_id_action", type_="foreignkey")
        batch_op.drop_column("action_id")
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): copying person, as batch mode would,
    # cannot drop a table so much refers to
    with op.batch_alter_table("person", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("is_admin")


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_delivery_action_id_action", "action", ["action_id"], ["id"])
