"""A meeting's digest is built once and shared by every recipient (counted by the composer, not
timed), and building a digest takes the same number of SQL statements however much has been
logged."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from conftest import bot_settings
from slackdriver import Driver, MovableClock
from sqlalchemy import event, select

from bot.app import make_client
from bot.devtools.fakeslack import FakeSlack
from bot.outbox import tick
from bot.settings import Settings
from commands.compose import DigestBuilds
from db.database import Database
from db.models import Board, Delivery, DeliveryState, Meeting
from jobs.digest import build_digest, digest_for, next_meeting
from jobs.meetings import ensure_meetings
from jobs.planner import plan

LONDON = Settings().tz


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def test_two_recipients_of_one_meeting_share_one_build(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    settings = bot_settings(database_url, fake_slack, send_interval=0.0)
    builds = DigestBuilds()
    with counting(staffed_db) as statements:
        tick(staffed_db, make_client(settings), settings, at("2022-10-10T09:00"), builds)
    with staffed_db.sessions() as session:
        digests = list(session.scalars(select(Delivery).where(Delivery.kind == "digest")))
    aeb = [d for d in digests if d.payload["board"] == "aeb"]
    assert {(d.recipient, d.state) for d in aeb} == {
        ("U0SPM", DeliveryState.SENT),
        ("#achieving-excellence", DeliveryState.SENT),
    }
    assert len({d.meeting_id for d in aeb}) == 1
    meetings = {d.meeting_id for d in digests}  # aeb's, and g2g's (no actions: skipped)
    assert len(digests) == len(meetings) + 1
    # one build per meeting: the digest reads the recommendations once per build
    reads = [s for s in statements if s.startswith("SELECT recommendation.plan_id")]
    assert len(reads) == builds.count == len(builds.built) == len(meetings)
    # both recipients got the very same board paper
    paper = builds.built[aeb[0].meeting_id][1][2]
    assert paper[0] == "aeb-2022-10-12-board-paper.xlsx"
    uploads = fake_slack.calls_to("files.getUploadURLExternal")
    assert [c.args["filename"] for c in uploads].count(paper[0]) == 2
    assert fake_slack.file_content(paper[0]) == paper[1]


def statements_for_digest(db: Database) -> list[str]:
    with db.writes.begin() as session:
        board = session.scalars(select(Board).where(Board.key == "aeb")).one()
        ensure_meetings(session, [board], date(2022, 9, 5))
        meeting = next_meeting(session, board, at("2022-10-10T09:00").date())
        assert meeting is not None
        session.expire_all()
        with counting(db) as statements:
            digest_for(session, board, meeting, at("2022-10-10T09:00"), LONDON)
            plan(session, at("2022-10-10T09:00"), LONDON, boards=[board])
        session.rollback()
    return statements


def test_the_digest_and_the_planner_take_the_same_statements_at_two_sizes(
    slack: Driver, staffed_db: Database, clock: MovableClock
) -> None:
    small = statements_for_digest(staffed_db)
    with staffed_db.sessions() as session:
        assert session.scalar(select(Meeting.id).where(Meeting.rag_counts.is_not(None))) is None
    refs = ["4.1", "4.2", "4.3"]
    for n in range(6):
        for ref in refs:
            logged = slack.command(f"update {ref} amber: week {n} on {ref}", user="U0CP")
            if n % 3 == 2:
                slack.press(logged.button("Undo"), user="U0CP")
            clock.advance(days=3)
    large = statements_for_digest(staffed_db)
    assert len(large) == len(small), (small, large)
    assert all("action_update" not in s or "GROUP BY" not in s for s in large)


def test_stored_trend_points_are_the_replayed_ones(
    slack: Driver,
    staffed_db: Database,
    clock: MovableClock,
    database_url: str,
    fake_slack: FakeSlack,
) -> None:
    """Each past meeting's point, stored by the tick soon after the meeting, is what replaying
    the whole history gives later."""
    settings = bot_settings(database_url, fake_slack, send_interval=0.0)
    client = make_client(settings)
    words = ["red: stuck", "amber: moving", "green: on track", "done: finished, see the report"]
    for n in range(16):
        for i, ref in enumerate(("4.1", "4.2", "4.3")):
            said = words[(n + i) % 4]
            logged = slack.command(f"update {ref} {said}", user="U0CP")
            if n % 5 == 4:
                slack.press(logged.button("Undo"), user="U0CP")
        clock.advance(days=11)
        tick(staffed_db, client, settings, clock())
    with staffed_db.writes.begin() as session:
        board = session.scalars(select(Board).where(Board.key == "aeb")).one()
        stored = {
            m.held_on: m.rag_counts
            for m in session.scalars(select(Meeting).where(Meeting.board_id == board.id))
            if m.rag_counts is not None
        }
        assert len(stored) == 5
        meeting = next_meeting(session, board, clock().astimezone(LONDON).date())
        assert meeting is not None
        with_stored = digest_for(session, board, meeting, clock(), LONDON)
        past = sorted(stored)
        replayed = build_digest(
            session, board, meeting.held_on, past[-1], None, past, now=clock(), tz=LONDON
        )
    assert [p.meeting for p in with_stored.trend] == [*past, meeting.held_on]
    assert with_stored.trend == replayed.trend
    assert len({str(p.counts) for p in with_stored.trend}) > 2  # the RAG did move
