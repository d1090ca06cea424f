"""One tick: plan what is due, skip what came too late, send what is owed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from db.boards import all_boards
from db.database import Database
from db.messages import remember_bot_message
from jobs.digest import record_trend
from jobs.nudges import refresh_nudges
from jobs.outbox_model import Compose, SendReport
from jobs.planner import plan, skip_passed
from jobs.sender import LEASE, SETTLE, Sender
from jobs.statutory import plan_deadlines

log = logging.getLogger(__name__)

MakeComposer = Callable[[Database, ZoneInfo, datetime], Compose]  # a tick's composer, at `now`


@dataclass(frozen=True)
class TickConfig:
    """What a tick is given (bot/ builds it from the settings): the council's timezone, the
    admins alerted when a delivery fails, how a delivery's message is composed, the pause
    between two sends, how often the scheduler ticks, a sender's lease, and how long after a
    lost answer Slack has certainly finished with the send."""

    tz: ZoneInfo
    admins: tuple[str, ...]
    make_composer: MakeComposer
    send_interval: float = 1.0
    every_seconds: float = 60.0
    lease: timedelta = LEASE
    settle: timedelta = SETTLE


@dataclass
class TickReport:
    planned: int
    skipped: int
    sent: SendReport
    refreshed: int = 0  # sent nudges updated in place

    def __str__(self) -> str:
        shown = f"planned {self.planned}, skipped {self.skipped}, {self.sent}"
        return f"{shown}, refreshed {self.refreshed}"


def tick(database: Database, client: WebClient, config: TickConfig, now: datetime) -> TickReport:
    tz, started = config.tz, time.monotonic()
    with database.writes.begin() as session:
        boards = all_boards(session, by_key=True)
        planned = len(plan(session, now, tz, boards=boards))
        planned += len(plan_deadlines(session, now, tz, config.admins))
        skipped = skip_passed(session, now, tz)
        record_trend(session, boards, now.astimezone(tz).date(), tz)

    def remember(channel: str, ts: str, purpose: str, action_ids: list[int]) -> None:
        with database.writes.begin() as session:
            remember_bot_message(session, channel, ts, purpose, action_ids)

    sender = Sender(
        database,
        client,
        config.make_composer(database, tz, now),
        admins=config.admins,
        interval=config.send_interval,
        remember=remember,
        lease=config.lease,
        settle=config.settle,
    )
    report = TickReport(planned, skipped, sender.run(now, started=started))
    # nudges updated in place where an action got its update since (a composer of its own:
    # what it reads is read now, after the sends)
    report.refreshed = refresh_nudges(
        database, client, config.make_composer(database, tz, now), now, tz
    )
    if (
        report.planned
        or report.skipped
        or report.sent.sent
        or report.sent.failed
        or report.sent.deferred
    ):
        log.info("tick at %s: %s", now.isoformat(), report)
    return report
