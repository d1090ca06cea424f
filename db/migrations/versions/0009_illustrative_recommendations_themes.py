"""illustrative marks on recommendations (number, theme, area, findings) and themes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:30:00.000000

The shipped plans file recommendations under themes and areas and list finding paragraphs
that the reports do not print; the marks say so, as actions' and boards' marks already do.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ... ADD COLUMN (no copy: much refers to recommendation)
    with op.batch_alter_table("recommendation", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("illustrative", sa.JSON(), server_default="[]", nullable=False)
        )
    with op.batch_alter_table("theme", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("illustrative", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("theme", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("illustrative")
    with op.batch_alter_table("recommendation", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("illustrative")
