"""APScheduler wiring: a tick every minute (TickConfig.every_seconds: TICK_SECONDS), and each
board's cron at its send time (working days, in the council's timezone), so reminders go out on
the minute. Everything the tick does is in the database, so a missed run is caught up by the
next one."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from db.database import Database
from db.overview import boards as all_boards
from jobs.tick import TickConfig, tick

log = logging.getLogger(__name__)


def run_tick(database: Database, client: WebClient, config: TickConfig) -> None:
    try:
        tick(database, client, config, datetime.now(UTC))
    except Exception:  # the next tick tries again; nothing is lost
        log.exception("tick failed")


def start_scheduler(
    database: Database, client: WebClient, config: TickConfig
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone=config.tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 120},
    )
    args = (database, client, config)
    scheduler.add_job(
        run_tick,
        IntervalTrigger(seconds=config.every_seconds, timezone=config.tz),
        args=args,
        id="tick",
        name="plan and send what is due",
    )
    with database.sessions() as session:
        send_times = sorted({b.send_time for b in all_boards(session, by_key=True)})
    for send_time in send_times:
        hour, minute = (int(x) for x in send_time.split(":"))
        scheduler.add_job(
            run_tick,
            CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute, timezone=config.tz),
            args=args,
            id=f"boards-{send_time}",
            name=f"board reminders at {send_time}",
        )
    scheduler.start()
    log.info("scheduler started: %s", ", ".join(j.name for j in scheduler.get_jobs()))
    return scheduler
