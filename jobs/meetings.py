"""Board meetings stored ahead from each board's cadence; single meetings moved or cancelled.

A board meets at most once a day (a move onto a day it already meets is refused); a meeting
already held is neither moved nor cancelled, nor is one moved into the past or past HORIZON.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Board, Meeting, MeetingStatus
from db.posts import get_or_create_person
from db.session import insert_new
from db.updates import UpdateRefusedError, is_admin
from jobs.schedule import cadence_dates

HORIZON = timedelta(weeks=26)


def cadence_ahead(board: Board, today: date) -> list[date]:
    """The board's cadence dates from one cadence back to half a year ahead."""
    start = today - timedelta(weeks=board.every_weeks)
    count = HORIZON.days // (7 * board.every_weeks) + 2
    return cadence_dates(board.anchor, board.every_weeks, start, count)


def ensure_meetings(session: Session, boards: Collection[Board], today: date) -> int:
    """Store every cadence meeting from one cadence back to half a year ahead (idempotent, and
    safe when several processes do it at once)."""
    rows = []
    for board in boards:
        rows += [
            {
                "board_id": board.id,
                "cadence_date": day,
                "held_on": day,
                "status": MeetingStatus.SCHEDULED,
            }
            for day in cadence_ahead(board, today)
        ]
    return insert_new(session, Meeting, rows, unique=["board_id", "cadence_date"])


def find_board(session: Session, name: str) -> Board | None:
    name = name.strip().lower()
    return session.scalar(
        select(Board).where((func.lower(Board.key) == name) | (func.lower(Board.name) == name))
    )


@dataclass(frozen=True)
class MeetingChange:
    board: str
    cadence_date: date
    held_on: date
    status: MeetingStatus


def _may_change(session: Session, board: Board, actor_id: str, admins: Collection[str]) -> None:
    actor = get_or_create_person(session, actor_id)
    secretary = board.secretary_post.holder_id if board.secretary_post else None
    if not (is_admin(actor, admins) or (secretary is not None and secretary == actor.id)):
        raise UpdateRefusedError(
            f"Only the {board.name}'s secretary or an admin can move or cancel its meetings."
        )


def _meeting_on(session: Session, board: Board, day: date, today: date) -> Meeting:
    ensure_meetings(session, [board], min(today, day))
    meeting = session.scalar(
        select(Meeting)
        .where(
            Meeting.board_id == board.id, (Meeting.held_on == day) | (Meeting.cadence_date == day)
        )
        .order_by((Meeting.held_on == day).desc())
        .limit(1)
        .with_for_update()
    )
    if meeting is None:
        raise UpdateRefusedError(f"The {board.name} has no meeting on {day:%-d %b %Y}.")
    return meeting


def _lock_board(session: Session, board: Board) -> None:
    """Moves and cancellations of one board's meetings one at a time (PostgreSQL; SQLite's
    writers are one at a time already)."""
    session.execute(select(Board.id).where(Board.id == board.id).with_for_update())


def move_meeting(
    session: Session,
    board: Board,
    day: date,
    to: date,
    actor_id: str,
    *,
    today: date,
    admins: Collection[str],
) -> MeetingChange:
    _may_change(session, board, actor_id, admins)
    if to < today:
        raise UpdateRefusedError("A meeting can only be moved to a date still ahead.")
    if to > today + HORIZON:
        raise UpdateRefusedError(
            f"A meeting can be moved at most {HORIZON.days // 7} weeks ahead "
            f"(to {today + HORIZON:%-d %b %Y} at the latest)."
        )
    _lock_board(session, board)
    meeting = _meeting_on(session, board, day, today)
    if meeting.held_on < today:
        raise UpdateRefusedError(
            f"The {board.name}'s meeting of {meeting.held_on:%-d %b %Y} has passed: "
            "it cannot be moved."
        )
    ensure_meetings(session, [board], today)
    taken = session.scalar(
        select(Meeting.id).where(
            Meeting.board_id == board.id,
            Meeting.held_on == to,
            Meeting.id != meeting.id,
            Meeting.status != MeetingStatus.CANCELLED,
        )
    )
    if taken is not None:
        raise UpdateRefusedError(
            f"The {board.name} already meets on {to:%-d %b %Y}: one meeting a day. Cancel "
            "that one first, or choose another day."
        )
    meeting.held_on = to
    meeting.status = MeetingStatus.SCHEDULED if to == meeting.cadence_date else MeetingStatus.MOVED
    session.flush()
    return MeetingChange(board.name, meeting.cadence_date, to, meeting.status)


def cancel_meeting(
    session: Session,
    board: Board,
    day: date,
    actor_id: str,
    *,
    today: date,
    admins: Collection[str],
) -> MeetingChange:
    _may_change(session, board, actor_id, admins)
    _lock_board(session, board)
    meeting = _meeting_on(session, board, day, today)
    if meeting.held_on < today:
        raise UpdateRefusedError(
            f"The {board.name}'s meeting of {meeting.held_on:%-d %b %Y} has passed: "
            "it cannot be cancelled."
        )
    meeting.status = MeetingStatus.CANCELLED
    session.flush()
    return MeetingChange(board.name, meeting.cadence_date, meeting.held_on, meeting.status)
