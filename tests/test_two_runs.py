"""Two `ofsted-bot run` processes ticking on one database send each message once.

Two real bots (HTTP mode on free ports, the Web API pointed at the test's fake Slack) start at
once on the same database, SQLite file or PostgreSQL schema, at a moment when nudges, second
nudges and a digest are due. Each ticks a few seconds after it starts (jobs.scheduler's
STARTUP_DELAY) and then every TICK_SECONDS, 60: the outbox is drained by the first ticks, well
before the second could come. The processes tick on the real clock, not
the tests' movable one, so the boards are moved to meet tomorrow and in a fortnight (London
time): their reminders' send times are already past. The fake holds the first message back until
a second one arrives while it waits; each process sends one delivery at a time, so two posts at
once are the two processes sending side by side.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, add_board_channels, free_port
from slackdriver import SECRET
from sqlalchemy import select

from bot.devtools.fakeslack import Call, FakeSlack
from bot.settings import Settings
from db.database import Database
from db.models import Board, Delivery, DeliveryState, Plan

LONDON = Settings().tz
HOLD = 20.0  # seconds the first message waits for the other process's (normally well under 1)
TICK_SECONDS = 60
DEADLINE = 45.0  # for the outbox to drain: normally a few seconds; before a second tick
SENT = re.compile(r"tick at \S+: planned \d+, skipped \d+, sent (\d+)")


class Overlap:
    """Holds each message back until two are in flight at once (then lets every one through)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.seen = threading.Event()

    def __call__(self, call: Call) -> None:
        if call.method != "chat.postMessage" or "metadata" not in call.args:
            return
        with self.lock:
            self.in_flight += 1
            if self.in_flight >= 2:
                self.seen.set()
        try:
            self.seen.wait(timeout=HOLD)
        finally:
            with self.lock:
                self.in_flight -= 1


def meet_soon(database: Database) -> None:
    """The AEB meets tomorrow (its digest is due), the OPAB in a week (its second nudges due:
    never in the tick of a board's digest), the Getting to Good group in a fortnight (first
    nudges due); the OPAB and the group oversee the AEB's plan too."""
    today = datetime.now(LONDON).date()
    anchors = {"aeb": 1, "opab": 7, "g2g": 14}
    leads = {"aeb": (21, 3, 2), "opab": (21, 10, 1), "g2g": (21, 3, 2)}
    with database.writes.begin() as session:
        ilacs = session.scalars(select(Plan).where(Plan.key == "ilacs-2022")).one()
        for board in session.scalars(select(Board)):
            if board.key != "aeb":
                board.plans.append(ilacs)
            board.anchor = today + timedelta(days=anchors.get(board.key, 30 * 7))
            board.every_weeks = 52
            board.nudge_days, board.second_nudge_days, board.digest_days = leads[board.key]
            board.send_time = "00:00"


def start_bot(url: str, fake: FakeSlack, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": url,
        "SLACK_API_URL": fake.base_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "TICK_SECONDS": str(TICK_SECONDS),
        "SEND_INTERVAL": "0",
        "PLANS_FILE": "",
        "LOG_LEVEL": "INFO",
        "ADMINS": "U0ADMIN",
    }
    env.pop("SLACK_APP_TOKEN", None)
    command = [sys.executable, "-m", "bot.cli", "run", "--http", "--port", str(free_port())]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


@pytest.fixture
def bots(
    staffed_db: Database, database_url: str, tmp_path: Path
) -> Iterator[tuple[FakeSlack, Overlap, list[Path]]]:
    meet_soon(staffed_db)
    overlap = Overlap()
    logs = [tmp_path / "bot-1.log", tmp_path / "bot-2.log"]
    with FakeSlack(on_call=overlap) as fake:
        add_board_channels(fake)
        processes = [start_bot(database_url, fake, log) for log in logs]
        try:
            yield fake, overlap, logs
            for process, log in zip(processes, logs, strict=True):
                assert process.poll() is None, log.read_text()  # still running: no crash
        finally:
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def outbox(database: Database) -> list[Delivery]:
    with database.sessions() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def drained(database: Database) -> list[Delivery] | None:
    """The outbox once it has the digest and second nudges and nothing is left to send."""
    rows = outbox(database)
    waiting = {DeliveryState.PLANNED, DeliveryState.SENDING}
    if {"digest", "nudge2"} <= {d.kind for d in rows} and not any(d.state in waiting for d in rows):
        return rows
    return None


def sent_by(log: Path) -> int:
    return sum(int(n) for n in SENT.findall(log.read_text()))


def wait_for(what: str, done: Callable[[], bool], logs: list[Path]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not done():
        if time.monotonic() > deadline:
            tails = "\n".join(log.read_text()[-3000:] for log in logs)
            pytest.fail(f"{what} within {DEADLINE:.0f} s; the bots' logs:\n{tails}")
        time.sleep(0.1)


def test_two_run_processes_send_each_message_once(
    bots: tuple[FakeSlack, Overlap, list[Path]], staffed_db: Database
) -> None:
    fake, overlap, logs = bots
    found: list[list[Delivery]] = []

    def outbox_drained() -> bool:
        rows = drained(staffed_db)
        if rows is not None:
            found.append(rows)
        return rows is not None

    wait_for("the outbox was not drained", outbox_drained, logs)
    rows = found[0]
    sent = [d for d in rows if d.state == DeliveryState.SENT]
    assert {d.kind for d in sent} == {"nudge", "nudge2", "digest"}
    assert all(
        d.state == DeliveryState.SENT
        or (d.state == DeliveryState.SKIPPED and d.payload.get("board") == "g2g")
        for d in rows
    ), [(d.key, d.state, d.reason) for d in rows]
    # both processes sent: two messages were in flight at once, and each process's log counts
    # what it sent (written as its tick ends), together every delivery once
    assert overlap.seen.is_set(), "the two processes never sent at the same time"
    wait_for("the ticks' logs do not add up", lambda: sum(map(sent_by, logs)) == len(sent), logs)
    assert all(sent_by(log) >= 1 for log in logs), [sent_by(log) for log in logs]
    assert_each_part_once(fake, sent)


def assert_each_part_once(fake: FakeSlack, sent: list[Delivery]) -> None:
    """Every delivery's message, thread messages and files reached Slack exactly once."""
    accepted = [
        c
        for c in fake.calls_to("chat.postMessage")
        if "metadata" in c.args and c.status == 200 and c.response.get("ok")
    ]
    payloads = [c.args["metadata"]["event_payload"] for c in accepted]
    keys = Counter(p["key"] for p in payloads)  # a message's key, or a thread part's key#part
    mains = {p["key"]: c for p, c in zip(payloads, accepted, strict=True) if "part" not in p}
    assert set(mains) == {d.key for d in sent}
    assert set(keys.values()) == {1}, [key for key, n in keys.items() if n > 1]
    shares = Counter(
        (c.args["channel_id"], c.args["thread_ts"], str(c.args["files"]))
        for c in fake.calls_to("files.completeUploadExternal")
    )
    assert set(shares.values()) == {1}
    for digest in (d for d in sent if d.kind == "digest"):
        where = (mains[digest.key].response["channel"], mains[digest.key].response["ts"])
        assert keys[f"{digest.key}#1"] == 1  # its thread message
        assert sum(n for (c, ts, _), n in shares.items() if (c, ts) == where) == 3  # PNG, PDF, XLSX
