"""One tick: plan what is due, skip what came too late, send what is owed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient

from bot.settings import Settings
from db.database import Database
from db.replies import remember_bot_message
from jobs.compose import DigestBuilds, make_composer
from jobs.digest import record_trend
from jobs.meetings import all_boards
from jobs.planner import plan, skip_passed
from jobs.sender import Sender, SendReport

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    planned: int
    skipped: int
    sent: SendReport

    def __str__(self) -> str:
        return f"planned {self.planned}, skipped {self.skipped}, {self.sent}"


def tick(
    database: Database,
    client: WebClient,
    settings: Settings,
    now: datetime,
    builds: DigestBuilds | None = None,
) -> TickReport:
    """`builds` (optional) collects the digests built this tick: one per meeting."""
    tz = settings.tz
    with database.writes.begin() as session:
        boards = all_boards(session)
        planned = len(plan(session, now, tz, boards=boards))
        skipped = skip_passed(session, now, tz)
        record_trend(session, boards, now.astimezone(tz).date(), tz)

    def remember(channel: str, ts: str, purpose: str, action_ids: list[int]) -> None:
        with database.writes.begin() as session:
            remember_bot_message(session, channel, ts, purpose, action_ids)

    sender = Sender(
        database,
        client,
        make_composer(database, tz, now, builds),
        admins=settings.admins,
        interval=settings.send_interval,
        remember=remember,
    )
    report = TickReport(planned, skipped, sender.run(now))
    if report.planned or report.skipped or report.sent.sent or report.sent.failed:
        log.info("tick at %s: %s", now.isoformat(), report)
    return report
