"""outbox attempts and Slack channels: a part's last send (when, Slack's ts, its file id), and
board channels resolved to their ids

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:40:00.000000

- delivery.attempt_at / attempt_ts: when the current part was last sent (the sender's clock,
  and Slack's): a look-up for it waits until Slack has certainly finished, and reads only
  around that time;
- delivery.file_id: the file Slack gave at upload, so a lost share is decided by files.info;
- slack_channel: a channel named in a plan, its id (kept across renames) and whether the bot
  is in it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempt_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("file_id", sa.String(length=32), nullable=True))
    op.create_table(
        "slack_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("is_private", sa.Boolean(), nullable=True),
        sa.Column("bot_member", sa.Boolean(), nullable=True),
        sa.Column("problem", sa.String(length=80), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_channel")),
        sa.UniqueConstraint("name", name=op.f("uq_slack_channel_name")),
    )


def downgrade() -> None:
    op.drop_table("slack_channel")
    with op.batch_alter_table("delivery", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("file_id")
        batch_op.drop_column("attempt_ts")
        batch_op.drop_column("attempt_at")
