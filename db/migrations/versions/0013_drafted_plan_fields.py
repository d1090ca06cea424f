"""plan.lead_inspector; recommendation.number_printed and framework (plans drafted from reports)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:00:00.000000

- plan.lead_inspector: who led the inspection, as the report names them;
- recommendation.number_printed: false where the report prints a bullet and the number is the
  item's position (ILACS);
- recommendation.framework: the National Framework cross-reference an item is tagged with.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("lead_inspector", sa.String(length=200), nullable=True))
    with op.batch_alter_table("recommendation", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("number_printed", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("framework", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recommendation", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("framework")
        batch_op.drop_column("number_printed")
    with op.batch_alter_table("plan", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("lead_inspector")
