"""the statutory clock: when an inspection's report was received and its action plan submitted

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:00:00.000000

plan.received (blank: the day it was published) starts the 70 working days within which the
written action plan is due to Ofsted; plan.submitted stops the clock (jobs/statutory.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ... ADD COLUMN (no copy: much refers to plan)
    with op.batch_alter_table("plan", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("received", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("submitted", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("submitted")
        batch_op.drop_column("received")
