"""The improvement programme's data model (SQLAlchemy 2.x typed ORM). Names follow the
council's words: a *plan* (one inspection or review) has *recommendations*, each answered by
*actions* owned by *posts*; *people* hold posts or *cover* them; progress is logged as immutable
*updates*; *boards* oversee plans and hold *meetings*; the bot owes a *delivery* (outbox row).

The model is this one module, every table and the column types and enums they share: one noun,
so it is longer than the other modules (tests/test_layers.py)."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ColumnElement,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    event,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from db.status import ActionStatus, Rag

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (also on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store times in UTC with a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


def enum_column(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class UpdateSource(enum.StrEnum):
    THREAD_REPLY = "thread reply"
    MODAL = "modal"
    SLASH = "slash"
    MENTION = "mention"
    DIRECT_MESSAGE = "direct message"
    SHORTCUT = "shortcut"
    IMPORT = "import"
    SYSTEM = "system"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    MOVED = "moved"
    CANCELLED = "cancelled"


class DeliveryState(enum.StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class Source(Base):
    """A published document recommendations are taken from."""

    __tablename__ = "source"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(Text)
    file: Mapped[str | None] = mapped_column(String(200))
    published: Mapped[date | None] = mapped_column(Date)


class Plan(Base):
    """One inspection or review and the council's response to it."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(Text)
    council: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(String(200))
    inspected_from: Mapped[date | None] = mapped_column(Date)
    inspected_to: Mapped[date | None] = mapped_column(Date)
    published: Mapped[date | None] = mapped_column(Date)
    # the statutory clock (jobs/statutory.py): the report received (blank: on publication),
    # and the written action plan sent to Ofsted
    received: Mapped[date | None] = mapped_column(Date)
    submitted: Mapped[date | None] = mapped_column(Date)
    lead_inspector: Mapped[str | None] = mapped_column(String(200))
    is_current: Mapped[bool] = mapped_column(default=False)
    overall: Mapped[str | None] = mapped_column(String(80))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))

    source: Mapped[Source | None] = relationship()
    judgements: Mapped[list[Judgement]] = relationship(
        back_populates="plan", order_by="Judgement.position", cascade="all, delete-orphan"
    )
    themes: Mapped[list[Theme]] = relationship(
        back_populates="plan", order_by="Theme.position", cascade="all, delete-orphan"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="plan", order_by="Recommendation.position"
    )


class Judgement(Base):
    __tablename__ = "judgement"
    __table_args__ = (UniqueConstraint("plan_id", "area"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    position: Mapped[int]
    area: Mapped[str] = mapped_column(String(300))
    grade: Mapped[str] = mapped_column(String(80))
    plan: Mapped[Plan] = relationship(back_populates="judgements")


class Theme(Base):
    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text)
    illustrative: Mapped[bool] = mapped_column(default=False, server_default=false())
    plan: Mapped[Plan] = relationship(back_populates="themes")


class Recommendation(Base):
    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[str] = mapped_column(String(10))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"))
    area: Mapped[str | None] = mapped_column(String(300))
    paragraphs: Mapped[list[str]] = mapped_column(default=list)
    findings: Mapped[list[str]] = mapped_column(default=list)
    response: Mapped[str | None] = mapped_column(Text)
    # which of number, theme, area, findings the source does not print (db.planfile)
    illustrative: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    number_printed: Mapped[bool] = mapped_column(default=True, server_default=true())
    framework: Mapped[str | None] = mapped_column(String(200))

    plan: Mapped[Plan] = relationship(back_populates="recommendations")
    theme: Mapped[Theme | None] = relationship()
    actions: Mapped[list[Action]] = relationship(
        back_populates="recommendation", order_by="Action.position"
    )


class Post(Base):
    """A job ("Director Corporate Parenting"); actions are owned by posts, not people."""

    __tablename__ = "post"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    illustrative: Mapped[bool] = mapped_column(default=False)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    holder: Mapped[Person | None] = relationship()


class Person(Base):
    """A Slack user."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))


class Cover(Base):
    """Someone standing in for a post's holder between two dates (inclusive)."""

    __tablename__ = "cover"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="dates_in_order"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    post: Mapped[Post] = relationship()
    person: Mapped[Person] = relationship()

    @classmethod
    def on(cls, day: Any) -> ColumnElement[bool]:
        """The rule of who covers a post: a cover counts on each day from its first to its last.
        `day`: a date, or a bound parameter for one."""
        return and_(cls.starts_on <= day, cls.ends_on >= day)


class Action(Base):
    __tablename__ = "action"
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    ref: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    owner_post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"), index=True)
    due_original: Mapped[date | None] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "action_status"), default=ActionStatus.NOT_STARTED
    )
    rag: Mapped[Rag | None] = mapped_column(enum_column(Rag, "rag"))
    evidence: Mapped[str | None] = mapped_column(Text)
    source_ref: Mapped[str | None] = mapped_column(String(200))
    illustrative: Mapped[list[str]] = mapped_column(default=list)
    # the newest update that stands (not withdrawn, not replaced by an edit), kept by every
    # write that adds a version (db.updates.refresh_latest); no foreign key, as action_update
    # already refers to action
    latest_update_id: Mapped[int | None] = mapped_column()  # no default: left out of inserts

    plan: Mapped[Plan] = relationship()
    recommendation: Mapped[Recommendation] = relationship(back_populates="actions")
    owner_post: Mapped[Post | None] = relationship()


class Update(Base):
    """One immutable record of progress on an action; edits and retractions add versions."""

    __tablename__ = "action_update"
    __table_args__ = (
        UniqueConstraint("slack_channel", "slack_ts", "version"),
        UniqueConstraint("event_id"),
        UniqueConstraint("idempotency_key"),
        Index("ix_action_update_action_latest", "action_id", "created_at", "id"),
        Index("ix_action_update_supersedes_id", "supersedes_id"),
        Index("ix_action_update_created_at", "created_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("action_update.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    status_from: Mapped[ActionStatus | None] = mapped_column(
        enum_column(ActionStatus, "status_from")
    )
    status_to: Mapped[ActionStatus | None] = mapped_column(enum_column(ActionStatus, "status_to"))
    rag_from: Mapped[Rag | None] = mapped_column(enum_column(Rag, "rag_from"))
    rag_to: Mapped[Rag | None] = mapped_column(enum_column(Rag, "rag_to"))
    evidence: Mapped[str | None] = mapped_column(Text)
    due_from: Mapped[date | None] = mapped_column(Date)
    due_to: Mapped[date | None] = mapped_column(Date)
    due_reason: Mapped[str | None] = mapped_column(Text)
    escalation: Mapped[str | None] = mapped_column(Text)
    retracted: Mapped[bool] = mapped_column(default=False)
    source: Mapped[UpdateSource] = mapped_column(enum_column(UpdateSource, "update_source"))
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[str | None] = mapped_column(String(64))
    # the request that made it (a slash command's trigger id, a form's view and values): a
    # request sent again finds its update instead of making another
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    action: Mapped[Action] = relationship()
    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
    on_behalf_of: Mapped[Person | None] = relationship(foreign_keys=[on_behalf_of_id])


@event.listens_for(Session, "before_flush")
def _updates_are_immutable(session: Session, *_: object) -> None:
    for obj in session.dirty:
        if isinstance(obj, Update) and session.is_modified(obj):
            raise ValueError("updates are immutable: add a new version instead")
    for obj in session.deleted:
        if isinstance(obj, Update):
            raise ValueError("updates are never deleted: add a retraction instead")


board_plan = Table(
    "board_plan",
    Base.metadata,
    Column("board_id", ForeignKey("board.id", ondelete="CASCADE"), primary_key=True),
    Column("plan_id", ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True),
)


class Board(Base):
    """A board overseeing plans, meeting on a cadence from an anchor date."""

    __tablename__ = "board"
    __table_args__ = (CheckConstraint("every_weeks >= 1", name="cadence_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    every_weeks: Mapped[int]
    anchor: Mapped[date] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(80))
    secretary_post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    nudge_days: Mapped[int] = mapped_column(default=7)
    second_nudge_days: Mapped[int] = mapped_column(default=3)
    digest_days: Mapped[int] = mapped_column(default=2)
    send_time: Mapped[str] = mapped_column(String(5), default="09:00")
    illustrative: Mapped[list[str]] = mapped_column(default=list)

    secretary_post: Mapped[Post | None] = relationship()
    plans: Mapped[list[Plan]] = relationship(secondary=board_plan, order_by="Plan.key")


class Meeting(Base):
    """One meeting of a board: its cadence date, and the date it is actually held."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("board_id", "cadence_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    cadence_date: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED
    )
    note: Mapped[str | None] = mapped_column(Text)
    # RAG totals of the board's actions at the end of the meeting day, stored once it is past
    # (jobs.digest.record_trend) so that a digest's trend does not replay the history
    rag_counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    board: Mapped[Board] = relationship()


class Delivery(Base):
    """A message the bot owes someone (outbox). `key` makes each one exactly-once."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_state_due", "state", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(80))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    due_at: Mapped[datetime]
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState, "delivery_state"), default=DeliveryState.PLANNED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    slack_channel: Mapped[str | None] = mapped_column(String(32))  # of the main message,
    slack_ts: Mapped[str | None] = mapped_column(String(32))  # recorded as soon as it is posted
    parts_done: Mapped[int] = mapped_column(default=0, server_default="0")  # main, thread, files
    in_doubt: Mapped[bool] = mapped_column(default=False, server_default=false())  # the next
    # part may have been posted (lost answer, dead sender): look for it before posting it
    claimed_at: Mapped[datetime | None]  # the sender's lease: renewed as each part is sent
    # the current part's last send: when (the sender's clock: a look-up for it waits until Slack
    # has certainly finished with it) and Slack's ts then (bounds the look-up in history)
    attempt_at: Mapped[datetime | None]
    attempt_ts: Mapped[str | None] = mapped_column(String(32))
    file_id: Mapped[str | None] = mapped_column(String(32))  # the file part being shared
    refreshed_at: Mapped[datetime | None]  # a sent nudge last updated in place (jobs.nudges)
    not_before: Mapped[datetime | None]  # after a passing fault: when to try again
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to which action, when: every update, edit, retraction, undo, sign-off."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_action_at", "action_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    update_id: Mapped[int | None] = mapped_column(ForeignKey("action_update.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- a request for a new due date (db.due_dates) ---


class DueDateRequest(Base):
    """An owner asking the board for a new due date (db.due_dates): pending until decided."""

    __tablename__ = "due_date_request"
    __table_args__ = (
        Index("ix_due_date_request_action_id_state", "action_id", "state"),
        CheckConstraint("state IN ('pending', 'approved', 'rejected', 'replaced')", "state_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    update_id: Mapped[int] = mapped_column(ForeignKey("action_update.id"))  # that asked
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    due_from: Mapped[date | None] = mapped_column(Date)
    due_to: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- the bot's own records of Slack ---


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
    status: Mapped[ActionStatus | None] = mapped_column(enum_column(ActionStatus, "pending_status"))
    rag: Mapped[Rag | None] = mapped_column(enum_column(Rag, "pending_rag"))
    action_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    update_id: Mapped[int | None] = mapped_column(ForeignKey("action_update.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedEvent(Base):
    """A Slack Events API `event_id` already handled (retries are dropped)."""

    __tablename__ = "processed_event"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
