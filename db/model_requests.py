"""A request for a new due date, part of the data model (db.models imports it from here)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.model_base import Base, utcnow


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
