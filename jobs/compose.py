"""A delivery's message, built when it is sent (so it says how things stand then)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.views.digest import digest_details, digest_summary
from bot.views.reminders import alert_view, nudge_view
from db.database import Database
from db.models import Board, Delivery, Meeting, MeetingStatus
from jobs.alerts import DeliveryAlert
from jobs.digest import action_lines, build_digest
from jobs.digest_model import ActionLine, Digest
from jobs.meetings import all_boards, find_board
from jobs.sender import Compose, Composed, NothingToSendError

NO_ACTIONS = "the board's plans have no actions: nothing to report"


def digest_for(
    session: Session, board: Board, meeting: Meeting, now: datetime, tz: ZoneInfo
) -> Digest:
    held = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.board_id == board.id, Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.held_on)
        )
    )
    before = [m.held_on for m in held if m.held_on < meeting.held_on]
    after = [m.held_on for m in held if m.held_on > meeting.held_on]
    return build_digest(
        session,
        board,
        meeting.held_on,
        before[-1] if before else None,
        after[0] if after else None,
        before,
        now=now,
        tz=tz,
    )


def next_meeting(session: Session, board: Board, today: date) -> Meeting | None:
    return session.scalar(
        select(Meeting)
        .where(
            Meeting.board_id == board.id,
            Meeting.held_on >= today,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.held_on)
        .limit(1)
    )


def digest_message(digest: Digest, tz: ZoneInfo, today: date, *, mention: bool = True) -> Composed:
    """One message, one thread message with the details, and the chart and board paper."""
    from jobs.digest_files import board_paper_xlsx, rag_chart_png  # matplotlib: ~40 MB, load late

    text, blocks = digest_summary(digest, tz)
    details, detail_blocks = digest_details(
        digest, tz, today, signoff_buttons=True, mention=mention
    )
    stem = f"{digest.board_key}-{digest.meeting:%Y-%m-%d}"
    return Composed(
        text,
        [b.to_dict() for b in blocks],
        [(details, [b.to_dict() for b in detail_blocks])],
        [
            (f"{stem}-rag.png", rag_chart_png(digest)),
            (f"{stem}-board-paper.xlsx", board_paper_xlsx(digest)),
        ],
        purpose="digest",
    )


def alert_message(database: Database, alert: DeliveryAlert) -> Composed:
    """An admin's alert, naming the board and the meeting of the delivery that failed."""
    with database.sessions() as session:
        board = find_board(session, alert.board) if alert.board else None
        meeting = session.get(Meeting, alert.meeting_id) if alert.meeting_id else None
        text, blocks = alert_view(
            alert, board.name if board else None, meeting.held_on if meeting else None
        )
    return Composed(text, [b.to_dict() for b in blocks], purpose="alert")


def make_composer(database: Database, tz: ZoneInfo, now: datetime) -> Compose:
    today = now.astimezone(tz).date()

    lines_of: dict[str, list[ActionLine]] = {}  # a board's actions, read once a tick

    def compose(delivery: Delivery) -> Composed:
        if delivery.kind == "alert":
            return alert_message(database, DeliveryAlert.from_payload(delivery.payload))
        with database.sessions() as session:
            boards = {b.key: b for b in all_boards(session)}
            board = boards.get(str(delivery.payload.get("board")))
            meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
            if board is None or meeting is None:
                raise NothingToSendError("its board or meeting no longer exists")
            if delivery.kind == "digest":
                digest = digest_for(session, board, meeting, now, tz)
                if not digest.actions:
                    raise NothingToSendError(NO_ACTIONS)
                return digest_message(
                    digest, tz, today, mention=delivery.recipient.startswith(("U", "W"))
                )
            wanted = set(delivery.payload.get("actions", []))
            if board.key not in lines_of:
                lines_of[board.key] = action_lines(session, board, today)
            lines = [
                x
                for x in lines_of[board.key]
                if x.action_id in wanted and x.status not in {"complete", "signed off"}
            ]
        if not lines:
            raise NothingToSendError("every action in it was completed")
        text, blocks = nudge_view(
            lines, board.name, meeting.held_on, tz, today, second=delivery.kind == "nudge2"
        )
        return Composed(
            text, [b.to_dict() for b in blocks], action_ids=[x.action_id for x in lines]
        )

    return compose
