"""The bot's own records of Slack, part of the data model (db.models imports them from here):
board channels resolved to ids, the messages it posted about actions, replies waiting for a
choice, and the Events API ids already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.model_base import Base, utcnow
from db.model_base import enum_column as _enum
from db.status import ActionStatus, Rag


class SlackChannel(Base):
    """A board's channel, resolved to its Slack id once and kept (renames keep working)."""

    __tablename__ = "slack_channel"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)  # as in the plan, without "#"
    channel_id: Mapped[str | None] = mapped_column(String(32))
    is_private: Mapped[bool | None]
    bot_member: Mapped[bool | None]
    problem: Mapped[str | None] = mapped_column(String(80))  # Slack's error when last tried
    checked_at: Mapped[datetime | None]


class BotMessage(Base):
    """A message the bot posted about one or more actions: replies in its thread are updates."""

    __tablename__ = "bot_message"
    __table_args__ = (UniqueConstraint("channel", "ts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(40))
    action_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PendingReply(Base):
    """A reply that names no action in a thread about several: kept until its author picks one."""

    __tablename__ = "pending_reply"
    __table_args__ = (UniqueConstraint("channel", "ts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)  # without the status word, which is kept apart
    status: Mapped[ActionStatus | None] = mapped_column(_enum(ActionStatus, "pending_status"))
    rag: Mapped[Rag | None] = mapped_column(_enum(Rag, "pending_rag"))
    action_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    update_id: Mapped[int | None] = mapped_column(ForeignKey("action_update.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedEvent(Base):
    """A Slack Events API `event_id` already handled (retries are dropped)."""

    __tablename__ = "processed_event"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
