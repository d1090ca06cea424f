"""Outbox benchmark: planning and building a digest, and fanning out nudges.

    .venv/bin/python bench/outbox.py digest --url sqlite:////tmp/bench.db
    .venv/bin/python bench/outbox.py fanout --nudges 500
    .venv/bin/python bench/outbox.py first --url sqlite:////tmp/bench.db

`digest` adds (once) a board overseeing every plan of a bench/generate.py database (with a
secretary and a channel), stores its past meetings' trend points as the tick does, then times
planning the nudges and building the digest (data, Slack messages, PNG chart, XLSX paper)
against issue 9's goals and counts SQL statements (run it on two sizes to see the count stay
put), and composes the digest for the meeting's two recipients, counting the builds.
`first` times planning in fresh processes (after `digest` has added its board): each imports
what `ofsted-bot run` has imported by its first tick, freezes those objects out of the garbage
collector as `run` does (not with `--no-freeze`), then plans four times, the first cold,
printing each time and the full collections' share of it.
`fanout` makes a plan with N owners, each owning one action, and times one tick sending the N
nudges to the fake Slack Web API, against the floor of Slack's rate limit.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pypdfium2
import yaml
from sqlalchemy import event, func, select

from bot.app import make_client
from bot.devtools.fakeslack import FakeSlack
from bot.outbox import tick
from bot.settings import Settings
from commands.compose import DigestBuilds, digest_message, make_composer
from db.database import Database
from db.models import Action, Board, Delivery, Plan, Post, Update
from db.plan_import import import_plan_file
from jobs.board_pack import board_pack_pdf
from jobs.board_paper import board_paper_xlsx
from jobs.digest import digest_for, next_meeting, record_trend
from jobs.digest_files import rag_chart_png
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


GOALS = {"planning": 200, "data": 500, "digest": 1500, "pack": 1500}  # ms at 4,000 actions
SCALE = [1.0]  # more actions: the goal grows with them (linear: 10x at 40,000 actions)


def against(label: str, ms: float) -> str:
    goal = GOALS[label] * SCALE[0]
    return f"{ms:.0f} ms ({'meets' if ms < goal else 'MISSES'} < {goal:.0f} ms)"


def digest(url: str, runs: int) -> None:
    database = Database.connect(url)
    started = time.perf_counter()
    database.upgrade()  # 0007 backfills each action's latest update on an older database
    upgraded_s = time.perf_counter() - started
    tz = Settings(database_url=url).tz
    now = datetime(2022, 10, 10, 8, 0, tzinfo=UTC)
    with database.writes.begin() as session:
        board = session.scalar(select(Board).where(Board.key == "bench-all"))
        if board is None:
            board = Board(
                key="bench-all",
                name="Bench all-plans board",
                every_weeks=6,
                anchor=date(2022, 7, 20),
                channel="C0BENCH",
                secretary_post=session.scalars(select(Post).order_by(Post.id).limit(1)).one(),
            )
            board.plans = list(session.scalars(select(Plan)))
            session.add(board)
            session.flush()
        ensure_meetings(session, [board], now.date())
        actions = session.scalar(select(func.count()).select_from(Action))
        updates = session.scalar(select(func.count()).select_from(Update))
        started = time.perf_counter()
        stored = record_trend(session, [board], now.date(), tz)
        trend_ms = (time.perf_counter() - started) * 1000
    SCALE[0] = max(1.0, (actions or 0) / 4000)
    print(f"{url}: {actions} actions, {updates} updates (upgrade {upgraded_s:.1f} s)")
    if SCALE[0] > 1:
        print(f"  goals scaled {SCALE[0]:.0f}x from 4,000 actions (linear or better)")
    print(
        f"  trend points stored for {stored} past meetings in {trend_ms:.0f} ms "
        "(once per meeting, by the tick after the meeting; 0 when already stored)"
    )
    statements = counted(database)
    for run in range(1, runs + 1):
        with database.writes.begin() as session:
            board = session.scalars(select(Board).where(Board.key == "bench-all")).one()
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
        png = rag_chart_png(data)
        png_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        xlsx = board_paper_xlsx(data)
        xlsx_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        pdf = board_pack_pdf(data, png)
        pdf_ms = (time.perf_counter() - started) * 1000
        pages = len(pypdfium2.PdfDocument(pdf))
        started = time.perf_counter()
        files = [("x.png", png), ("x.pdf", pdf), ("x.xlsx", xlsx)]
        composed = digest_message(data, tz, now.date(), files=files, canvas=True)
        canvas_kb = len((composed.canvas or ("", ""))[1].encode()) // 1024
        messages_ms = (time.perf_counter() - started) * 1000
        total = built_ms + png_ms + xlsx_ms + messages_ms
        print(
            f"  run {run}: planning {len(owed)} deliveries {against('planning', planned_ms)} "
            f"in {planned_sql} statements; digest data {against('data', built_ms)} in "
            f"{built_sql} statements; messages and canvas {messages_ms:.0f} ms (canvas "
            f"{canvas_kb} KB), PNG {png_ms:.0f} ms "
            f"({len(png) // 1024} KB), XLSX {xlsx_ms:.0f} ms ({len(xlsx) // 1024} KB); "
            f"digest with PNG and XLSX {against('digest', total)}; board pack (PDF) "
            f"{against('pack', pdf_ms)} ({len(pdf) // 1024} KB, {pages} pages)"
        )
    # the tick's composer, for the meeting's two recipients (secretary and channel)
    with database.sessions() as session:
        board = session.scalars(select(Board).where(Board.key == "bench-all")).one()
        meeting = next_meeting(session, board, now.date())
        assert meeting is not None
        holder = board.secretary_post.holder if board.secretary_post else None
        recipients = [holder.slack_user_id if holder else "U00000001", "C0BENCH"]
        meeting_id = meeting.id
    builds = DigestBuilds()
    compose = make_composer(database, tz, now, builds)
    started = time.perf_counter()
    for recipient in recipients:
        composed = compose(
            Delivery(
                key=f"bench:{recipient}",
                kind="digest",
                recipient=recipient,
                meeting_id=meeting_id,
                payload={"board": "bench-all"},
            )
        )
        assert len(composed.files) == 3  # chart, board pack, board paper
    print(
        f"  composing the digest for {len(recipients)} recipients of one meeting: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms, {builds.count} build"
        f"{'' if builds.count == 1 else 's'} (goal: 1, shared)"
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


def full_collections() -> list[float]:
    """The garbage collector's full (generation 2) collections, in ms, as they happen."""
    spent: list[float] = []
    began = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        elif info["generation"] == 2:
            spent.append((time.perf_counter() - began[0]) * 1000)

    gc.callbacks.append(timed)
    return spent


def first(url: str, processes: int, child: bool, freeze: bool) -> None:
    if not child:
        for _ in range(processes):
            command = [sys.executable, __file__, "first", "--url", url, "--child"]
            # each a fresh process: imports, a cold cache
            subprocess.run(command + ([] if freeze else ["--no-freeze"]), check=True)
        return
    from bot.server import freeze_startup_objects  # with what `run` has imported by its tick

    database = Database.open(url)
    if freeze:
        freeze_startup_objects()
    tz = Settings(database_url=url).tz
    now = datetime(2022, 10, 10, 8, 0, tzinfo=UTC)
    collections = full_collections()
    times = []
    for _ in range(4):
        with database.writes.begin() as session:
            board = session.scalars(select(Board).where(Board.key == "bench-all")).one()
            before, started = len(collections), time.perf_counter()
            plan(session, now, tz, boards=[board])
            times.append(((time.perf_counter() - started) * 1000, sum(collections[before:])))
            session.rollback()
    shown = [f"{t:.0f}" + (f" (full GC {g:.0f})" if g else "") for t, g in times]
    print(f"  planning ms: first {shown[0]}, then {', '.join(shown[1:])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    d = verbs.add_parser("digest")
    d.add_argument("--url", required=True)
    d.add_argument("--runs", type=int, default=3)
    f = verbs.add_parser("fanout")
    f.add_argument("--nudges", type=int, default=500)
    f.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="seconds between messages to one channel (the sender's throttle)",
    )
    c = verbs.add_parser("first")
    c.add_argument("--url", required=True)
    c.add_argument("--processes", type=int, default=4)
    c.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    c.add_argument("--no-freeze", dest="freeze", action="store_false")
    args = parser.parse_args()
    if args.verb == "digest":
        digest(args.url, args.runs)
    elif args.verb == "first":
        first(args.url, args.processes, args.child, args.freeze)
    else:
        fanout(args.nudges, args.interval)


if __name__ == "__main__":
    main()
