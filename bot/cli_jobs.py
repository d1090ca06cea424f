"""`ofsted-bot jobs …`, `ofsted-bot digest …` and `ofsted-bot board ics …`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.settings import Settings
from db.boards import all_boards
from db.database import Database
from db.models import Delivery, DeliveryState
from jobs.meetings import find_board


def parse_now(text: str | None, settings: Settings) -> datetime:
    """`--now` as ISO 8601; without a zone it is UK time (the council's)."""
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(
            f"ofsted-bot: --now {text!r} is not an ISO 8601 time (e.g. 2022-09-05T09:00)"
        ) from None
    return (value.replace(tzinfo=settings.tz) if value.tzinfo is None else value).astimezone(UTC)


def _row(d: Delivery, settings: Settings) -> str:
    due = d.due_at.astimezone(settings.tz).strftime("%a %-d %b %Y %H:%M")
    extra = f"  ({d.reason})" if d.reason else ""
    if d.parts_done and d.state != DeliveryState.SENT:  # a digest part-way through
        extra += f"  [{d.parts_done} part{'s' if d.parts_done > 1 else ''} posted"
        extra += ", the next in doubt]" if d.in_doubt else "]"
    return f"{due}  {d.state.value:<8} {d.kind:<7} {d.recipient:<14} {d.key}{extra}"


def cmd_jobs(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    now = parse_now(getattr(args, "now", None), settings)
    if args.jobs_command == "run-due":
        from bot.app import make_client
        from bot.outbox import tick

        print(
            f"tick at {now.astimezone(settings.tz):%a %-d %b %Y %H:%M %Z}: "
            f"{tick(database, make_client(settings), settings, now)}"
        )
        return 0
    if args.jobs_command == "pending":
        from jobs.planner import plan
        from jobs.statutory import plan_deadlines

        with database.writes.begin() as session:  # planned, then rolled back: a dry run
            would = plan(session, now, settings.tz)
            would += plan_deadlines(session, now, settings.tz, settings.admins)
            owed = list(
                session.scalars(
                    select(Delivery)
                    .where(Delivery.state == DeliveryState.PLANNED)
                    .order_by(Delivery.due_at)
                )
            )
            for delivery in owed:
                print(_row(delivery, settings))
            session.rollback()
        print(
            f"{len(owed)} to send at {now.astimezone(settings.tz):%-d %b %Y %H:%M} "
            f"({len(would)} newly due)"
        )
        return 0
    with database.sessions() as session:
        done = list(
            session.scalars(
                select(Delivery)
                .where(
                    Delivery.state.in_(
                        [
                            DeliveryState.SENT,
                            DeliveryState.FAILED,
                            DeliveryState.SKIPPED,
                            DeliveryState.SENDING,
                        ]
                    )
                )
                .order_by(Delivery.due_at)
            )
        )
    for delivery in done:
        print(_row(delivery, settings) + (f"  ts {delivery.slack_ts}" if delivery.slack_ts else ""))
    print(f"{len(done)} deliveries")
    return 0


def cmd_digest(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    from jobs.digest import digest_for, next_meeting
    from jobs.digest_files import board_files

    now = parse_now(args.now, settings)
    with database.writes.begin() as session:
        board = find_board(session, args.board)
        if board is None:
            print(f"no board {args.board!r}", file=sys.stderr)
            return 1
        from jobs.meetings import ensure_meetings

        ensure_meetings(session, [board], now.astimezone(settings.tz).date())
        meeting = next_meeting(session, board, now.astimezone(settings.tz).date())
        if meeting is None:
            print(f"the {board.name} has no meeting ahead", file=sys.stderr)
            return 1
        digest = digest_for(session, board, meeting, now, settings.tz)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in board_files(digest):
        (out / name).write_bytes(content)
        written.append(str(out / name))
    print(f"wrote {', '.join(written[:-1])} and {written[-1]}")
    return 0


def board_ics(database: Database, settings: Settings, name: str) -> bytes | None:
    from jobs.calendar_feed import board_feed

    with database.sessions() as session:
        return board_feed(session, name, settings.timezone, datetime.now(UTC))


def cmd_board(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    feed = board_ics(database, settings, args.name)
    if feed is None:
        with database.sessions() as session:
            names = ", ".join(b.key for b in all_boards(session, by_key=True))
        print(f"no board {args.name!r} (boards: {names})", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(feed)
    return 0


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    jobs = verbs.add_parser("jobs", help="reminders and digests (the outbox)")
    job_verbs = jobs.add_subparsers(dest="jobs_command", required=True)
    for name, text in (
        ("run-due", "run one tick: plan what is due and send it"),
        ("pending", "list what would go out (nothing is sent)"),
    ):
        job = job_verbs.add_parser(name, help=text)
        job.add_argument("--now", help="the time to act as (ISO 8601; UK time if no zone)")
    job_verbs.add_parser("history", help="what went out, failed or was skipped")
    jobs.set_defaults(db_handler=cmd_jobs)
    digest = verbs.add_parser(
        "digest", help="write a board's digest files: chart, board pack and board paper"
    )
    digest.add_argument("board")
    digest.add_argument(
        "--out",
        default=".",
        help="folder for the chart (PNG), board pack (PDF) and board paper (XLSX)",
    )
    digest.add_argument("--now", help="the time to act as (ISO 8601)")
    digest.set_defaults(db_handler=cmd_digest)
    board = verbs.add_parser("board", help="a board's meetings as an iCalendar feed")
    board_verbs = board.add_subparsers(dest="board_command", required=True)
    ics = board_verbs.add_parser("ics", help="print the feed (subscribe in Outlook or Google)")
    ics.add_argument("name")
    board.set_defaults(db_handler=cmd_board)
