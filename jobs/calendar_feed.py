"""A board's meetings as an RFC 5545 iCalendar feed people can subscribe to in Outlook or Google.

Each meeting's UID comes from the board and its cadence date, never the date it is held, so a
moved meeting updates the same calendar entry (with a higher SEQUENCE) instead of adding a second
one, and a cancelled meeting stays in the feed marked STATUS:CANCELLED so clients remove it.
Times carry a TZID and the feed includes the matching VTIMEZONE, which Outlook requires.
`board_feed` reads a board's feed from the database (a read: the cadence meetings not stored
yet are added as `ensure_meetings` would store them, without writing them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Meeting, MeetingStatus
from jobs.meetings import cadence_ahead, find_board

PRODID = "-//ofsted-bot//board meetings//EN"


@dataclass(frozen=True)
class FeedMeeting:
    cadence_date: date  # the date the cadence gives (stable identity of the meeting)
    held_on: date  # the date it is actually held (moved meetings differ)
    cancelled: bool
    note: str = ""


@lru_cache(maxsize=16)
def _vtimezone(tz: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE for `tz` covering the given years, as iCalendar text (building it is slow)."""
    component = Timezone.from_tzid(
        tz, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    return bytes(component.to_ical())  # to_ical is unannotated in icalendar 7


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _event(
    meeting: FeedMeeting,
    *,
    board_key: str,
    board_name: str,
    council: str,
    start_time: time,
    duration: timedelta,
    zone: ZoneInfo,
    stamp: datetime,
) -> Event:
    moved = meeting.held_on != meeting.cadence_date
    start = datetime.combine(meeting.held_on, start_time, tzinfo=zone)
    # elapsed time, so a meeting over a clock change still lasts `duration`
    end = (start.astimezone(UTC) + duration).astimezone(zone)
    lines = [meeting.note.strip()] if meeting.note.strip() else []
    if moved:
        lines.append(f"Moved from {_long_date(meeting.cadence_date)}")
    if meeting.cancelled:
        lines.append("This meeting is cancelled.")
    event = Event()
    event.add("uid", f"{board_key}-{meeting.cadence_date:%Y%m%d}@ofsted-bot")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", board_name + (" (cancelled)" if meeting.cancelled else ""))
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    event.add("sequence", 2 if meeting.cancelled else 1 if moved else 0)
    event.add("transp", "TRANSPARENT" if meeting.cancelled else "OPAQUE")
    event.add("categories", [council])
    if lines:
        event.add("description", "\n".join(lines))
    return event


def board_calendar(
    *,
    board_key: str,
    board_name: str,
    meetings: Sequence[FeedMeeting],
    council: str,
    start_time: time = time(10, 0),
    duration: timedelta = timedelta(hours=2),
    tz: str = "Europe/London",
    generated_at: datetime,
) -> bytes:
    """The board's meetings as iCalendar bytes (CRLF line endings, lines folded at 75 octets)."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    zone = ZoneInfo(tz)
    stamp = generated_at.astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", board_name)
    cal.add("x-wr-caldesc", f"{board_name} meetings, {council}")
    cal.add("x-wr-timezone", tz)
    years = [stamp.year] + [m.held_on.year for m in meetings]
    cal.add_component(Timezone.from_ical(_vtimezone(tz, min(years) - 1, max(years) + 1)))
    for meeting in sorted(meetings, key=lambda m: (m.held_on, m.cadence_date)):
        cal.add_component(
            _event(
                meeting,
                board_key=board_key,
                board_name=board_name,
                council=council,
                start_time=start_time,
                duration=duration,
                zone=zone,
                stamp=stamp,
            )
        )
    return bytes(cal.to_ical())


def board_feed(session: Session, name: str, tz: str, now: datetime) -> bytes | None:
    """The feed of the board named `name` (key or name), or None if there is no such board:
    its stored meetings, and its cadence meetings up to half a year ahead."""
    board = find_board(session, name)
    if board is None:
        return None
    stored = session.scalars(select(Meeting).where(Meeting.board_id == board.id))
    by_cadence = {
        m.cadence_date: FeedMeeting(
            m.cadence_date, m.held_on, m.status == MeetingStatus.CANCELLED, m.note or ""
        )
        for m in stored
    }
    for day in cadence_ahead(board, now.astimezone(ZoneInfo(tz)).date()):
        by_cadence.setdefault(day, FeedMeeting(day, day, cancelled=False))
    return board_calendar(
        board_key=board.key,
        board_name=board.name,
        meetings=[by_cadence[day] for day in sorted(by_cadence)],
        council=board.plans[0].council if board.plans else "",
        tz=tz,
        generated_at=now,
    )
