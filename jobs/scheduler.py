"""APScheduler wiring: a tick every minute (TickConfig.every_seconds: TICK_SECONDS), the first a
few seconds after start, and each board's cron at its send time (working days, in the council's
timezone), so reminders go out on the minute. Everything the tick does is in the database, so a
missed run is caught up by the next one.

The first tick comes STARTUP_DELAY after start, once the server answers, not a minute later: it
catches up after downtime at once, and it pays a process's one-off costs (importing the bank
holidays, compiling the planner's and sender's statements) in the background, so that the ticks
on the minute are warm."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from db.boards import all_boards
from db.database import Database
from jobs.tick import TickConfig, tick

log = logging.getLogger(__name__)

STARTUP_DELAY = 3.0  # seconds from start to the first tick (startup to /healthz: about 1 s)


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
        next_run_time=datetime.now(UTC)
        + timedelta(seconds=min(STARTUP_DELAY, config.every_seconds)),
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
