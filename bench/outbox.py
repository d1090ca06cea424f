"""Outbox benchmark: planning and building a digest, and fanning out nudges.

    .venv/bin/python bench/outbox.py digest --url sqlite:////tmp/bench.db
    .venv/bin/python bench/outbox.py fanout --nudges 500

`digest` adds (once) a board overseeing every plan of a bench/generate.py database, then times
planning the nudges and building the digest (data, Slack messages, PNG chart, XLSX paper) and
counts SQL statements; run it on the small and the large database to see the count stay put.
`fanout` makes a plan with N owners, each owning one action, and times one tick sending the N
nudges to the fake Slack Web API, against the floor of Slack's rate limit.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from sqlalchemy import event, func, select

from bot.app import make_client
from bot.devtools.fakeslack import FakeSlack
from bot.outbox import tick
from bot.settings import Settings
from commands.compose import digest_message
from db.database import Database
from db.models import Action, Board, Plan, Update
from db.plan_import import import_plan_file
from jobs.digest import digest_for, next_meeting
from jobs.meetings import ensure_meetings
from jobs.planner import plan


def counted(database: Database) -> list[int]:
    statements = [0]
    event.listen(
        database.engine,
        "before_cursor_execute",
        lambda *a: statements.__setitem__(0, statements[0] + 1),
    )
    return statements


def digest(url: str) -> None:
    database = Database.connect(url)
    database.upgrade()
    tz = Settings(database_url=url).tz
    with database.writes.begin() as session:
        board = session.scalar(select(Board).where(Board.key == "bench-all"))
        if board is None:
            board = Board(
                key="bench-all",
                name="Bench all-plans board",
                every_weeks=6,
                anchor=date(2022, 7, 20),
            )
            board.plans = list(session.scalars(select(Plan)))
            session.add(board)
        actions = session.scalar(select(func.count()).select_from(Action))
        updates = session.scalar(select(func.count()).select_from(Update))
    print(f"{url}: {actions} actions, {updates} updates")
    statements = counted(database)
    now = datetime(2022, 10, 10, 8, 0, tzinfo=UTC)
    for label in ("first run", "second run"):
        with database.writes.begin() as session:
            board = session.scalars(select(Board).where(Board.key == "bench-all")).one()
            ensure_meetings(session, [board], now.date())
            before, started = statements[0], time.perf_counter()
            owed = plan(session, now, tz, boards=[board])
            planned_ms = (time.perf_counter() - started) * 1000
            planned_sql = statements[0] - before
            meeting = next_meeting(session, board, now.date())
            assert meeting is not None
            before, started = statements[0], time.perf_counter()
            data = digest_for(session, board, meeting, now, tz)
            built_ms = (time.perf_counter() - started) * 1000
            built_sql = statements[0] - before
            session.rollback()  # leave the database as it was
        started = time.perf_counter()
        message = digest_message(data, tz, now.date())
        render_ms = (time.perf_counter() - started) * 1000
        print(
            f"  {label}: planning {len(owed)} deliveries {planned_ms:.0f} ms in {planned_sql} "
            f"SQL statements; digest data {built_ms:.0f} ms in {built_sql} statements; "
            f"messages, PNG ({len(message.files[0][1]) // 1024} KB) and XLSX "
            f"({len(message.files[1][1]) // 1024} KB) {render_ms:.0f} ms"
        )


def fanout(nudges: int, interval: float) -> None:
    folder = Path(tempfile.mkdtemp())
    plan_file = {
        "council": "Fan-out",
        "posts": [
            {"key": f"owner-{i}", "title": f"Owner {i}", "holder": f"U{i:08d}"}
            for i in range(nudges)
        ],
        "plans": [
            {
                "key": "fanout",
                "title": "Fan-out",
                "kind": "inspection",
                "body": "O",
                "current": True,
                "recommendations": [
                    {
                        "number": "1",
                        "text": "Many owners.",
                        "actions": [
                            {"ref": f"1.{i}", "title": f"Action {i}", "owner": f"owner-{i}"}
                            for i in range(nudges)
                        ],
                    }
                ],
            }
        ],
        "boards": [
            {
                "key": "fan",
                "name": "Fan-out Board",
                "every_weeks": 6,
                "anchor": "2022-07-20",
                "plans": ["fanout"],
            }
        ],
    }
    (folder / "plan.yaml").write_text(yaml.safe_dump(plan_file))
    url = f"sqlite:///{folder / 'fanout.db'}"
    database = Database.connect(url)
    database.upgrade()
    import_plan_file(database.writes, folder / "plan.yaml")
    with FakeSlack() as fake:
        settings = Settings(
            database_url=url,
            slack_api_url=fake.base_url,  # type: ignore[arg-type]
            slack_bot_token="xoxb-bench",
            send_interval=interval,
        )  # type: ignore[arg-type]
        started = time.perf_counter()
        report = tick(
            database, make_client(settings), settings, datetime(2022, 10, 5, 8, 0, tzinfo=UTC)
        )
        wall = time.perf_counter() - started
        posted = len(fake.calls_to("chat.postMessage"))
    print(
        f"{nudges} owners: {report}; {posted} messages in {wall:.1f} s "
        f"({posted / wall:.0f} a second)"
    )
    print(
        f"floor at Slack's ~1 message a second per channel: each nudge goes to its own DM, "
        f"so {1.0 if posted else 0:.1f} s if sent in parallel, {posted:.0f} s at 1 a second "
        "overall (the workspace-wide pace of chat.postMessage bursts)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    d = verbs.add_parser("digest")
    d.add_argument("--url", required=True)
    f = verbs.add_parser("fanout")
    f.add_argument("--nudges", type=int, default=500)
    f.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="seconds between messages to one channel (the sender's throttle)",
    )
    args = parser.parse_args()
    if args.verb == "digest":
        digest(args.url)
    else:
        fanout(args.nudges, args.interval)


if __name__ == "__main__":
    main()
