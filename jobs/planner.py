"""Planning what the bot owes people before each meeting, as delivery rows (the outbox).

For each meeting still ahead: owner nudges (first and second) and the digest, each planned once
its send time has come. Keys make each one exactly-once: `nudge:<meeting>:<user>`,
`nudge2:<meeting>:<user>`, `digest:<meeting>:<recipient>`. Deliveries of meetings that have
passed or were cancelled are skipped, not sent late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.boards import all_boards
from db.models import Board, Delivery, DeliveryState, Meeting, MeetingStatus
from db.session import insert_new
from jobs.deliveries import PAYLOADS, DigestPayload, Nudge2Payload, NudgePayload, Payload
from jobs.digest import action_lines, local_midnight, needs_update
from jobs.digest_model import ActionLine
from jobs.meetings import ensure_meetings
from jobs.schedule import send_times

KINDS = ("nudge", "nudge2", "digest")


@dataclass(frozen=True)
class Owed:
    key: str
    kind: str
    recipient: str
    meeting_id: int | None
    due_at: datetime
    payload: Payload

    def __post_init__(self) -> None:
        if type(self.payload) is not PAYLOADS[self.kind]:
            raise TypeError(f"a {self.kind} is owed with a {type(self.payload).__name__}")


def owed_for(
    session: Session,
    board: Board,
    meeting: Meeting,
    previous: date | None,
    kind: str,
    due_at: datetime,
    today: date,
    tz: ZoneInfo,
    lines: list[ActionLine] | None = None,
) -> list[Owed]:
    """What one meeting owes of one kind; `lines` are the board's actions if already read."""
    if kind == "digest":
        recipients = []
        secretary = board.secretary_post.holder if board.secretary_post else None
        if secretary is not None:
            recipients.append(secretary.slack_user_id)
        if board.channel:
            recipients.append(board.channel)
        return [
            Owed(f"digest:{meeting.id}:{r}", kind, r, meeting.id, due_at, DigestPayload(board.key))
            for r in recipients
        ]
    since = local_midnight(previous, tz) if previous else None
    by_owner: dict[str, list[int]] = defaultdict(list)
    for line in lines if lines is not None else action_lines(session, board, today):
        if line.owner_user and needs_update(line, since, today, meeting.held_on):
            if kind == "nudge2" and not (
                line.last_update_at is None or (since and line.last_update_at < since)
            ):
                continue  # the second nudge is only for what is still missing
            by_owner[line.owner_user].append(line.action_id)
    nudge = Nudge2Payload if kind == "nudge2" else NudgePayload
    return [
        Owed(f"{kind}:{meeting.id}:{user}", kind, user, meeting.id, due_at, nudge(board.key, ids))
        for user, ids in sorted(by_owner.items())
    ]


def insert_owed(session: Session, owed: Iterable[Owed]) -> int:
    rows = [
        {
            "key": o.key,
            "kind": o.kind,
            "recipient": o.recipient,
            "meeting_id": o.meeting_id,
            "due_at": o.due_at,
            "payload": o.payload.to_payload(),
            "state": DeliveryState.PLANNED,
            "attempts": 0,
        }
        for o in owed
    ]
    return insert_new(session, Delivery, rows, unique=["key"])


def plan(
    session: Session,
    now: datetime,
    tz: ZoneInfo,
    *,
    boards: list[Board] | None = None,
) -> list[Owed]:
    """Plan every delivery whose time has come (idempotent; safe in several processes)."""
    today = now.astimezone(tz).date()
    boards = boards if boards is not None else all_boards(session, by_key=True)
    ensure_meetings(session, boards, today)
    meetings = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.board_id.in_([b.id for b in boards]))
            .order_by(Meeting.held_on)
        )
    )
    planned_kinds = {
        (m, k)
        for m, k in session.execute(
            select(Delivery.meeting_id, Delivery.kind)
            .where(Delivery.meeting_id.in_([m.id for m in meetings]))
            .distinct()
        )
    }
    owed: list[Owed] = []
    lines_of: dict[int, list[ActionLine]] = {}  # a board's actions, read once
    for board in boards:
        held = [
            m for m in meetings if m.board_id == board.id and m.status != MeetingStatus.CANCELLED
        ]
        for index, meeting in enumerate(held):
            if meeting.held_on < today:
                continue
            previous = held[index - 1].held_on if index else None
            times = send_times(board, meeting.held_on, tz)
            for kind in KINDS:
                if times.of(kind) > now or (meeting.id, kind) in planned_kinds:
                    continue
                if kind == "nudge" and times.nudge2 <= now:
                    continue  # came back late: the second nudge covers it
                if kind == "nudge2" and times.digest <= now:
                    continue  # came back late: never a nudge in the same tick as the digest
                if kind != "digest" and board.id not in lines_of:
                    lines_of[board.id] = action_lines(session, board, today)
                owed += owed_for(
                    session,
                    board,
                    meeting,
                    previous,
                    kind,
                    times.of(kind),
                    today,
                    tz,
                    lines_of.get(board.id),
                )
    insert_owed(session, owed)
    return owed


def skip_passed(session: Session, now: datetime, tz: ZoneInfo) -> int:
    """Deliveries still owed for meetings that are over or cancelled: skipped, with a reason."""
    today = now.astimezone(tz).date()
    skipped = 0
    for reason, condition in (
        ("the meeting has passed", Meeting.held_on < today),
        ("the meeting was cancelled", Meeting.status == MeetingStatus.CANCELLED),
    ):
        ids = (
            select(Delivery.id)
            .join(Meeting, Meeting.id == Delivery.meeting_id)
            .where(Delivery.state == DeliveryState.PLANNED, condition)
        )
        result = session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(state=DeliveryState.SKIPPED, reason=reason)
            .execution_options(synchronize_session=False)
        )
        skipped += int(getattr(result, "rowcount", 0) or 0)
    return skipped


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))
