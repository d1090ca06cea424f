"""The outbox wired to the settings: what a tick is given (commands' composer among it), one
tick, and the scheduler that runs them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.settings import Settings
from commands.compose import DigestBuilds, make_composer
from db.database import Database
from jobs import scheduler
from jobs.outbox_model import Compose
from jobs.people import Directory, NameLookup
from jobs.tick import TickConfig, TickReport
from jobs.tick import tick as run_tick


def tick_config(
    settings: Settings, builds: DigestBuilds | None = None, names: NameLookup | None = None
) -> TickConfig:
    """`builds` (tests, benchmarks) collects the digests a tick built: one per meeting; `names`
    gives people's names for digests in channels and board papers (jobs.people)."""

    def composer(database: Database, tz: ZoneInfo, now: datetime) -> Compose:
        return make_composer(database, tz, now, builds, names)

    return TickConfig(
        settings.tz,
        settings.admins,
        composer,
        settings.send_interval,
        settings.tick_seconds,
        lease=timedelta(seconds=settings.send_lease_seconds),
        settle=timedelta(seconds=settings.send_settle_seconds),
    )


def tick(
    database: Database,
    client: WebClient,
    settings: Settings,
    now: datetime,
    builds: DigestBuilds | None = None,
) -> TickReport:
    """Plan what is due at `now`, skip what came too late, send what is owed."""
    names = Directory(client).names
    return run_tick(database, client, tick_config(settings, builds, names), now)


def start_scheduler(
    database: Database, client: WebClient, settings: Settings
) -> BackgroundScheduler:
    names = Directory(client).names  # one cache for the scheduler's life
    return scheduler.start_scheduler(database, client, tick_config(settings, names=names))
