"""Meeting dates from a board's cadence, and when reminders for a meeting go out.

A board meets every N weeks counted from an anchor date. Stored meetings override single
dates (moved or cancelled) without disturbing the cadence. Reminders go out at the board's send
time on working days in the council's timezone: a reminder that would fall on a weekend or an
England-and-Wales bank holiday goes on the working day before. Times are computed in local time
and converted to UTC, so GMT/BST changes do not shift the hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from db.models import Board, Meeting, MeetingStatus

_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    import holidays  # ~10 MB: loaded when a send time is first worked out, not at start

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def cadence_dates(anchor: date, every_weeks: int, start: date, count: int) -> list[date]:
    """The next `count` cadence dates on or after `start`."""
    step = timedelta(weeks=every_weeks)
    if start <= anchor:
        first = anchor
    else:
        periods = -(-(start - anchor).days // step.days)  # ceiling division
        first = anchor + periods * step
    return [first + i * step for i in range(count)]


def _at(local_day: date, send_time: str, tz: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in send_time.split(":"))
    return datetime.combine(local_day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def send_at(meeting_day: date, days_before: int, send_time: str, tz: ZoneInfo) -> datetime:
    """When a reminder `days_before` a meeting goes out, in UTC."""
    return _at(working_day_on_or_before(meeting_day - timedelta(days=days_before)), send_time, tz)


@dataclass(frozen=True)
class SendTimes:
    """When a meeting's first nudge, second nudge and digest go out (UTC), each on a working
    day before the next: after a holiday season the days before a meeting run short (OPAB on
    Wed 30 Dec 2026: the second nudge and the digest would both fall on Thu 24 Dec), and then
    the earlier ones move back a working day, so an owner never gets a nudge and the
    secretary the digest on the same day."""

    nudge: datetime
    nudge2: datetime
    digest: datetime

    def of(self, kind: str) -> datetime:
        return {"nudge": self.nudge, "nudge2": self.nudge2, "digest": self.digest}[kind]


def send_times(board: Board, meeting_day: date, tz: ZoneInfo) -> SendTimes:
    def day_of(days_before: int) -> date:
        return working_day_on_or_before(meeting_day - timedelta(days=days_before))

    digest = day_of(board.digest_days)
    second = min(day_of(board.second_nudge_days), working_day_on_or_before(digest - _DAY))
    first = min(day_of(board.nudge_days), working_day_on_or_before(second - _DAY))
    return SendTimes(*(_at(d, board.send_time, tz) for d in (first, second, digest)))


@dataclass(frozen=True)
class UpcomingMeeting:
    held_on: date
    cadence_date: date
    cancelled: bool
    note: str
    nudge_at: datetime
    second_nudge_at: datetime
    digest_at: datetime


def upcoming_meetings(
    board: Board, overrides: Iterable[Meeting], today: date, tz: ZoneInfo, count: int = 3
) -> list[UpcomingMeeting]:
    """The board's next `count` meetings held today or later, moves and cancellations applied."""
    by_cadence = {m.cadence_date: m for m in overrides}
    found: list[UpcomingMeeting] = []
    start = today - timedelta(weeks=board.every_weeks)  # a meeting moved later may still be ahead
    for cadence_date in cadence_dates(board.anchor, board.every_weeks, start, count + 4):
        stored = by_cadence.get(cadence_date)
        held_on = stored.held_on if stored else cadence_date
        if held_on < today:
            continue
        cancelled = stored is not None and stored.status == MeetingStatus.CANCELLED
        times = send_times(board, held_on, tz)
        found.append(
            UpcomingMeeting(
                held_on=held_on,
                cadence_date=cadence_date,
                cancelled=cancelled,
                note=(stored.note or "") if stored else "",
                nudge_at=times.nudge,
                second_nudge_at=times.nudge2,
                digest_at=times.digest,
            )
        )
    found.sort(key=lambda m: m.held_on)
    return found[:count]
