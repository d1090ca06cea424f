"""A delivery's message, built when it is sent (so it says how things stand then): the composer
bot/ hands the outbox (jobs/ sends what this says, in the words of commands/views)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from commands.views.common import as_json
from commands.views.deadline import deadline_view
from commands.views.digest import digest_details, digest_summary
from commands.views.reminders import alert_view, nudge_view
from db.database import Database
from db.models import Delivery, Meeting
from db.overview import boards as all_boards
from db.queries import plan_by_key
from jobs.alerts import DeliveryAlert
from jobs.deliveries import DeadlinePayload, DigestPayload, Nudge2Payload, read_payload
from jobs.digest import action_lines, digest_for
from jobs.digest_model import ActionLine, Digest
from jobs.meetings import find_board
from jobs.sender import Compose, Composed, NothingToSendError
from jobs.statutory import plan_clock

NO_ACTIONS = "the board's plans have no actions: nothing to report"
NameLookup = Callable[[Iterable[str]], Mapping[str, str]]  # member ids -> names (jobs.people)


def with_names(digest: Digest, names: NameLookup | None) -> Digest:
    """The digest with the names of the people it mentions, for the channel and the files."""
    return replace(digest, names=dict(names(digest.people))) if names else digest


def digest_files(digest: Digest) -> list[tuple[str, bytes]]:
    """The chart and the board paper, named after the board and the meeting."""
    from jobs.digest_files import board_paper_xlsx, rag_chart_png  # matplotlib: ~40 MB, load late

    stem = f"{digest.board_key}-{digest.meeting:%Y-%m-%d}"
    return [
        (f"{stem}-rag.png", rag_chart_png(digest)),
        (f"{stem}-board-paper.xlsx", board_paper_xlsx(digest)),
    ]


def digest_message(
    digest: Digest,
    tz: ZoneInfo,
    today: date,
    *,
    mention: bool = True,
    files: list[tuple[str, bytes]] | None = None,
) -> Composed:
    """One message, one thread message with the details, and the chart and board paper (built
    here unless given). *Sign off* buttons go to the secretary (`mention`, a DM), not to the
    board's channel, where most readers may not sign off."""
    text, blocks = digest_summary(digest, tz)
    details, detail_blocks = digest_details(
        digest, tz, today, signoff_buttons=mention, mention=mention
    )
    return Composed(
        text,
        [as_json(b) for b in blocks],
        [(details, [as_json(b) for b in detail_blocks])],
        files if files is not None else digest_files(digest),
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
    return Composed(text, [as_json(b) for b in blocks], purpose="alert")


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
                return digest_message(
                    digest,
                    tz,
                    today,
                    mention=delivery.recipient.startswith(("U", "W")),
                    files=files,
                )
            wanted = set(payload.actions)
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
            lines,
            board.name,
            meeting.held_on,
            tz,
            today,
            second=isinstance(payload, Nudge2Payload),
        )
        return Composed(text, [as_json(b) for b in blocks], action_ids=[x.action_id for x in lines])

    return compose
