"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:49:19.513091
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("slack_user_id", name=op.f("uq_person_slack_user_id")),
    )
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_event")),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("file", sa.String(length=200), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("key", name=op.f("uq_source_key")),
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("council", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("inspected_from", sa.Date(), nullable=True),
        sa.Column("inspected_to", sa.Date(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("overall", sa.String(length=80), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_plan_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("key", name=op.f("uq_plan_key")),
    )
    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["person.id"], name=op.f("fk_post_holder_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post")),
        sa.UniqueConstraint("key", name=op.f("uq_post_key")),
    )
    op.create_table(
        "board",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=80), nullable=True),
        sa.Column("secretary_post_id", sa.Integer(), nullable=True),
        sa.Column("nudge_days", sa.Integer(), nullable=False),
        sa.Column("second_nudge_days", sa.Integer(), nullable=False),
        sa.Column("digest_days", sa.Integer(), nullable=False),
        sa.Column("send_time", sa.String(length=5), nullable=False),
        sa.Column("illustrative", sa.JSON(), nullable=False),
        sa.CheckConstraint("every_weeks >= 1", name=op.f("ck_board_cadence_positive")),
        sa.ForeignKeyConstraint(
            ["secretary_post_id"], ["post.id"], name=op.f("fk_board_secretary_post_id_post")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board")),
        sa.UniqueConstraint("key", name=op.f("uq_board_key")),
    )
    op.create_table(
        "cover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_cover_dates_in_order")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_cover_person_id_person")
        ),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name=op.f("fk_cover_post_id_post")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cover")),
    )
    with op.batch_alter_table("cover", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cover_post_id"), ["post_id"], unique=False)

    op.create_table(
        "judgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=300), nullable=False),
        sa.Column("grade", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_judgement_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgement")),
        sa.UniqueConstraint("plan_id", "area", name=op.f("uq_judgement_plan_id_area")),
    )
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_theme_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("plan_id", "key", name=op.f("uq_theme_plan_id_key")),
    )
    op.create_table(
        "board_plan",
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["board.id"],
            name=op.f("fk_board_plan_board_id_board"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_board_plan_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("board_id", "plan_id", name=op.f("pk_board_plan")),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("cadence_date", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "moved",
                "cancelled",
                name="meeting_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["board_id"], ["board.id"], name=op.f("fk_meeting_board_id_board"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint(
            "board_id", "cadence_date", name=op.f("uq_meeting_board_id_cadence_date")
        ),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_held_on"), ["held_on"], unique=False)

    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(length=300), nullable=True),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_recommendation_plan_id_plan")
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_recommendation_theme_id_theme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_recommendation_plan_id_number")),
    )
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner_post_id", sa.Integer(), nullable=True),
        sa.Column("due_original", sa.Date(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "not started",
                "on track",
                "at risk",
                "off track",
                "complete",
                "signed off",
                name="action_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "rag",
            sa.Enum(
                "red",
                "amber",
                "green",
                name="rag",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column("illustrative", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_post_id"], ["post.id"], name=op.f("fk_action_owner_post_id_post")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_action_plan_id_plan")),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_action_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
        sa.UniqueConstraint("plan_id", "ref", name=op.f("uq_action_plan_id_ref")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_owner_post_id"), ["owner_post_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_recommendation_id"), ["recommendation_id"], unique=False
        )

    op.create_table(
        "action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("on_behalf_of_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status_from",
            sa.Enum(
                "not started",
                "on track",
                "at risk",
                "off track",
                "complete",
                "signed off",
                name="status_from",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "status_to",
            sa.Enum(
                "not started",
                "on track",
                "at risk",
                "off track",
                "complete",
                "signed off",
                name="status_to",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "rag_from",
            sa.Enum(
                "red",
                "amber",
                "green",
                name="rag_from",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "rag_to",
            sa.Enum(
                "red",
                "amber",
                "green",
                name="rag_to",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("due_from", sa.Date(), nullable=True),
        sa.Column("due_to", sa.Date(), nullable=True),
        sa.Column("due_reason", sa.Text(), nullable=True),
        sa.Column("escalation", sa.Text(), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "thread reply",
                "modal",
                "slash",
                "mention",
                "shortcut",
                "import",
                "system",
                name="update_source",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("permalink", sa.Text(), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_update_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_action_update_author_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_id"], ["person.id"], name=op.f("fk_action_update_on_behalf_of_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["action_update.id"],
            name=op.f("fk_action_update_supersedes_id_action_update"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_update")),
        sa.UniqueConstraint("event_id", name=op.f("uq_action_update_event_id")),
        sa.UniqueConstraint(
            "slack_channel",
            "slack_ts",
            "version",
            name=op.f("uq_action_update_slack_channel_slack_ts_version"),
        ),
    )
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_update_action_created", ["action_id", "created_at"], unique=False
        )

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=80), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "planned",
                "sending",
                "sent",
                "failed",
                "skipped",
                name="delivery_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_delivery_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_delivery_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("key", name=op.f("uq_delivery_key")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_state_due", ["state", "due_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_state_due")

    op.drop_table("delivery")
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_index("ix_action_update_action_created")

    op.drop_table("action_update")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_recommendation_id"))
        batch_op.drop_index(batch_op.f("ix_action_owner_post_id"))

    op.drop_table("action")
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_plan_id"))

    op.drop_table("recommendation")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_held_on"))

    op.drop_table("meeting")
    op.drop_table("board_plan")
    op.drop_table("theme")
    op.drop_table("judgement")
    with op.batch_alter_table("cover", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cover_post_id"))

    op.drop_table("cover")
    op.drop_table("board")
    op.drop_table("post")
    op.drop_table("plan")
    op.drop_table("source")
    op.drop_table("processed_event")
    op.drop_table("person")
