"""A delivery's message, built when it is sent (so it says how things stand then): the composer
bot/ hands the outbox (jobs/ sends what this says, in the words of commands/views)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from commands.views.canvas import board_canvas
from commands.views.deadline import deadline_view
from commands.views.decisions import outcome_view
from commands.views.digest import digest_details, digest_summary
from commands.views.kit import as_json
from commands.views.reminders import NudgeState, alert_view, nudge_view
from db.boards import all_boards
from db.database import Database
from db.due_dates import request_row
from db.models import Board, Delivery, Meeting
from db.plans import plan_by_key
from db.status import DONE
from jobs.alerts import DeliveryAlert
from jobs.deliveries import (
    DeadlinePayload,
    DecisionPayload,
    DigestPayload,
    Nudge2Payload,
    NudgePayload,
    read_payload,
)
from jobs.digest import action_lines, digest_for
from jobs.digest_model import ActionLine, Digest
from jobs.meetings import find_board
from jobs.outbox_model import Compose, Composed, NothingToSendError
from jobs.people import NameLookup
from jobs.schedule import send_times
from jobs.statutory import plan_clock

NO_ACTIONS = "the board's plans have no actions: nothing to report"


def with_names(digest: Digest, names: NameLookup | None) -> Digest:
    """The digest with the names Slack shows for the people it names (users.info, cached), for
    the channel, the board pack and the board paper."""
    return digest.named(names(digest.people)) if names else digest


def digest_files(digest: Digest) -> list[tuple[str, bytes]]:
    """The chart, the board pack (PDF) and the board paper (XLSX), named after the board and
    the meeting."""
    from jobs.digest_files import board_files  # matplotlib, reportlab: ~50 MB, load late

    return board_files(digest)


def digest_message(
    digest: Digest,
    tz: ZoneInfo,
    today: date,
    *,
    mention: bool = True,
    files: list[tuple[str, bytes]] | None = None,
    decider: str | None = None,
    canvas: bool = False,
) -> Composed:
    """One message, one thread message with the details, and the chart and board paper (built
    here unless given). `decider`: the secretary the DM goes to, who gets the buttons;
    `canvas`: to a board's channel, whose canvas it keeps."""
    text, blocks = digest_summary(digest, tz)
    details, detail_blocks = digest_details(digest, tz, today, decider=decider, mention=mention)
    return Composed(
        text,
        [as_json(b) for b in blocks],
        [(details, [as_json(b) for b in detail_blocks])],
        files if files is not None else digest_files(digest),
        purpose="digest",
        canvas=board_canvas(digest, tz, today) if canvas else None,
    )


def alert_message(database: Database, alert: DeliveryAlert) -> Composed:
    """An admin's alert, naming the board and the meeting of the delivery that failed."""
    with database.sessions() as session:
        board = find_board(session, alert.board) if alert.board else None
        meeting = session.get(Meeting, alert.meeting_id) if alert.meeting_id else None
        text, blocks = alert_view(
            alert, board.name if board else None, meeting.held_on if meeting else None
        )
    return Composed(text, [as_json(b) for b in blocks], purpose="alert")


def decision_message(database: Database, decision: DecisionPayload) -> Composed:
    """The owner's DM: the board's decision on the new due date they asked for."""
    with database.sessions() as session:
        row = request_row(session, decision.request)
    if row is None or row.state not in ("approved", "rejected"):
        raise NothingToSendError("the request is no longer there, or not decided")
    text, blocks = outcome_view(row)
    return Composed(text, [as_json(b) for b in blocks], purpose="decision")


def nudge_message(
    session: Session,
    delivery: Delivery,
    payload: NudgePayload,
    board: Board,
    meeting: Meeting,
    board_lines: list[ActionLine],
    now: datetime,
    tz: ZoneInfo,
) -> Composed:
    """A nudge (or the reminder asked for), as it goes or, once sent (`sent_at`), as it stands
    now to update it in place: ✓ on each action updated since it was sent."""
    sent = delivery.sent_at
    if (
        delivery.kind == "remind"
        and sent is None
        and send_times(board, meeting.held_on, tz).digest <= now
    ):
        raise NothingToSendError("the digest has gone out: too late for the reminder")
    wanted = set(payload.actions)
    done = {
        x.action_id: x.status
        for x in board_lines
        if sent and x.action_id in wanted and x.last_update_at and x.last_update_at > sent
    }
    lines = [
        x
        for x in board_lines
        if x.action_id in wanted and (x.action_id in done or x.status not in DONE)
    ]
    if not lines:
        raise NothingToSendError("every action in it was completed")
    remind_at = session.scalar(
        select(Delivery.due_at).where(Delivery.key == f"remind:{meeting.id}:{delivery.recipient}")
    )
    state = NudgeState(delivery.id, done, remind_at, reminder=delivery.kind == "remind")
    text, blocks = nudge_view(
        lines, board.name, meeting.held_on, tz, now.astimezone(tz).date(),
        second=isinstance(payload, Nudge2Payload), state=state,
    )  # fmt: skip
    return Composed(text, [as_json(b) for b in blocks], action_ids=[x.action_id for x in lines])


def deadline_message(database: Database, reminder: DeadlinePayload, today: date) -> Composed:
    """A statutory reminder, as the clock stands when it is sent: none once the plan is
    submitted, its deadline has passed or moved (the reminders of the new one follow)."""
    with database.sessions() as session:
        plan = plan_by_key(session, reminder.plan)
        clock = plan_clock(plan) if plan is not None else None
        if plan is None or clock is None:
            raise NothingToSendError("the plan or its statutory clock no longer exists")
        if clock.submitted is not None:
            raise NothingToSendError("the action plan was submitted")
        if not clock.running(today):
            raise NothingToSendError("the deadline has passed")
        if clock.deadline != reminder.deadline:
            raise NothingToSendError("the deadline has moved")
        text, blocks = deadline_view(plan.key, plan.title, clock, today)
    return Composed(text, [as_json(b) for b in blocks], purpose="deadline")


@dataclass
class DigestBuilds:
    """The digests a composer built: one per meeting, shared by all its recipients."""

    built: dict[int, tuple[Digest, list[tuple[str, bytes]]]] = field(default_factory=dict)
    count: int = 0  # digests built from the database (with their chart and board paper)


def make_composer(
    database: Database,
    tz: ZoneInfo,
    now: datetime,
    builds: DigestBuilds | None = None,
    names: NameLookup | None = None,  # people's names for digests in channels and files
) -> Compose:
    """A tick's composer: a board's actions read once, each meeting's digest built once."""
    today, builds = now.astimezone(tz).date(), builds if builds is not None else DigestBuilds()
    lines_of: dict[str, list[ActionLine]] = {}  # a board's actions, read once a tick

    def compose(delivery: Delivery) -> Composed:
        payload = read_payload(delivery.kind, delivery.payload)
        if isinstance(payload, DeliveryAlert):
            return alert_message(database, payload)
        if isinstance(payload, DecisionPayload):
            return decision_message(database, payload)
        if isinstance(payload, DeadlinePayload):
            return deadline_message(database, payload, today)
        with database.sessions() as session:
            boards = {b.key: b for b in all_boards(session, by_key=True)}
            board = boards.get(payload.board)
            meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
            if board is None or meeting is None:
                raise NothingToSendError("its board or meeting no longer exists")
            if isinstance(payload, DigestPayload):
                if meeting.id not in builds.built:
                    digest = with_names(digest_for(session, board, meeting, now, tz), names)
                    files = digest_files(digest) if digest.actions else []
                    builds.built[meeting.id] = (digest, files)
                    builds.count += 1
                digest, files = builds.built[meeting.id]
                if not digest.actions:
                    raise NothingToSendError(NO_ACTIONS)
                to_person = delivery.recipient.startswith(("U", "W"))
                return digest_message(
                    digest,
                    tz,
                    today,
                    mention=to_person,
                    files=files,
                    decider=delivery.recipient if to_person else None,
                    canvas=not to_person,
                )
            if board.key not in lines_of:
                lines_of[board.key] = action_lines(session, board, today)
            return nudge_message(
                session, delivery, payload, board, meeting, lines_of[board.key], now, tz
            )

    return compose
