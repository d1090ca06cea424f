"""The statutory clock: after an inspection the council must send Ofsted its written action
plan within 70 working days of receiving the report.

A plan of kind `inspection` runs a clock from the day its report was received (`received`, or
else `published`) to the 70th working day after it (weekends and England-and-Wales bank
holidays are not working days, jobs/schedule.py), and it stops when the plan is `submitted`.
While it runs, the secretary of each board overseeing the plan and the admins are reminded 20,
10 and 5 working days before the deadline, each once, through the outbox: the key
`deadline:<plan>:<deadline>:<days>:<recipient>` makes it exactly-once, and a reminder whose
time came while none was planned (the bot was down) gives way to the latest one that is due.
None is planned or sent once the deadline has passed or the plan is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Board, Plan, Post
from jobs.deliveries import DeadlinePayload
from jobs.planner import Owed, insert_owed
from jobs.schedule import is_working_day, send_at

WORKING_DAYS = 70
REMINDERS = (20, 10, 5)  # working days before the deadline
SEND_TIME = "09:00"  # when no board overseeing the plan says otherwise
ONE_DAY = timedelta(days=1)


def add_working_days(start: date, count: int) -> date:
    """The `count`th working day after `start` (`start` itself is day 0)."""
    day = start
    while count > 0:
        day += ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def working_days_left(today: date, deadline: date) -> int:
    """Working days after today up to and including the deadline (0: it is today or past)."""
    left, day = 0, today
    while day < deadline:
        day += ONE_DAY
        left += is_working_day(day)
    return left


def reminder_day(deadline: date, before: int) -> date:
    """The working day on which `before` working days are left."""
    day = deadline
    while before > 0:
        before -= is_working_day(day)
        day -= ONE_DAY
    while not is_working_day(day):
        day -= ONE_DAY
    return day


@dataclass(frozen=True)
class Clock:
    """An inspection plan's statutory clock."""

    received: date
    deadline: date
    submitted: date | None = None

    def running(self, today: date) -> bool:
        return self.submitted is None and today <= self.deadline

    def days_left(self, today: date) -> int:
        return working_days_left(today, self.deadline)


def clock_of(
    kind: str, published: date | None, received: date | None, submitted: date | None
) -> Clock | None:
    """The clock of a plan, if it is an inspection's and the day its report came is known."""
    start = received or published
    if kind != "inspection" or start is None:
        return None
    return Clock(start, add_working_days(start, WORKING_DAYS), submitted)


def plan_clock(plan: Plan) -> Clock | None:
    return clock_of(plan.kind, plan.published, plan.received, plan.submitted)


def _running_plans(session: Session) -> list[tuple[Plan, list[Board]]]:
    """Inspection plans not yet submitted, with the boards overseeing them (two statements)."""
    plans = list(
        session.scalars(
            select(Plan)
            .where(Plan.kind == "inspection", Plan.submitted.is_(None))
            .where((Plan.published.is_not(None)) | (Plan.received.is_not(None)))
            .order_by(Plan.key)
        )
    )
    if not plans:
        return []
    boards = session.scalars(
        select(Board).options(
            selectinload(Board.plans), selectinload(Board.secretary_post).selectinload(Post.holder)
        )
    ).all()
    return [(p, [b for b in boards if any(x.id == p.id for x in b.plans)]) for p in plans]


def recipients(boards: list[Board], admins: tuple[str, ...]) -> list[str]:
    """The secretaries of the boards overseeing a plan, and the admins, each once."""
    found = [
        b.secretary_post.holder.slack_user_id
        for b in boards
        if b.secretary_post and b.secretary_post.holder
    ]
    return sorted(set(found) | set(admins))


def _latest_due(clock: Clock, send_time: str, now: datetime, tz: ZoneInfo) -> tuple[int, datetime]:
    """The reminder whose time came last (0, now: none yet)."""
    due = [(n, send_at(reminder_day(clock.deadline, n), 0, send_time, tz)) for n in REMINDERS]
    passed = [(n, at) for n, at in due if at <= now]
    return min(passed, key=lambda x: x[0]) if passed else (0, now)


def plan_deadlines(
    session: Session, now: datetime, tz: ZoneInfo, admins: tuple[str, ...]
) -> list[Owed]:
    """Plan the statutory reminders whose time has come (idempotent; safe in several ticks)."""
    today = now.astimezone(tz).date()
    owed: list[Owed] = []
    for plan, boards in _running_plans(session):
        clock = plan_clock(plan)
        if clock is None or not clock.running(today):
            continue
        send_time = min((b.send_time for b in boards), default=SEND_TIME)
        before, due_at = _latest_due(clock, send_time, now, tz)
        if not before:
            continue
        payload = DeadlinePayload(plan.key, clock.deadline, before)
        owed += [
            Owed(
                f"deadline:{plan.key}:{clock.deadline}:{before}:{r}",
                "deadline",
                r,
                None,
                due_at,
                payload,
            )
            for r in recipients(boards, admins)
        ]
    insert_owed(session, owed)
    return owed
