"""A board's iCalendar feed: valid RFC 5545 that Outlook and Google accept and update in place."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from icalendar import Calendar

from jobs.calendar_feed import PRODID, FeedMeeting, board_calendar

GENERATED = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
JAN = date(2026, 1, 13)  # GMT
JUL = date(2026, 7, 7)  # BST
AUG = date(2026, 8, 4)


def feed(meetings: list[FeedMeeting], **kwargs: Any) -> bytes:
    return board_calendar(
        board_key="ipb",
        board_name="Improvement Board",
        meetings=meetings,
        council="Anytown Council",
        generated_at=GENERATED,
        **kwargs,
    )


def events(raw: bytes) -> dict[str, Any]:
    return {str(e["UID"]): e for e in Calendar.from_ical(raw).walk("VEVENT")}


def test_calendar_properties_and_timezone() -> None:
    cal = Calendar.from_ical(feed([FeedMeeting(JAN, JAN, cancelled=False)]))
    assert str(cal["PRODID"]) == PRODID == "-//ofsted-bot//board meetings//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Improvement Board"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/London"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert cal.get_missing_tzids() == set()


def test_one_event_per_meeting_with_unique_stable_uids() -> None:
    meetings = [
        FeedMeeting(JAN, JAN, False),
        FeedMeeting(JUL, JUL, False),
        FeedMeeting(AUG, AUG, True),
    ]
    found = events(feed(meetings))
    assert sorted(found) == [
        "ipb-20260113@ofsted-bot",
        "ipb-20260707@ofsted-bot",
        "ipb-20260804@ofsted-bot",
    ]
    moved = events(feed([FeedMeeting(JAN, JAN, False), FeedMeeting(JUL, date(2026, 7, 9), False)]))
    assert set(moved) <= set(found)
    for event in found.values():
        assert event["DTSTAMP"].dt == GENERATED


def test_moved_meeting_keeps_uid_and_bumps_sequence() -> None:
    before = events(feed([FeedMeeting(JUL, JUL, False, note="Room 2")]))["ipb-20260707@ofsted-bot"]
    after = events(feed([FeedMeeting(JUL, date(2026, 7, 9), False, note="Room 2")]))
    event = after["ipb-20260707@ofsted-bot"]
    assert int(before["SEQUENCE"]) == 0
    assert "Moved from" not in str(before.get("DESCRIPTION", ""))
    assert event["DTSTART"].dt.date() == date(2026, 7, 9)
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Improvement Board"
    description = str(event["DESCRIPTION"])
    assert "Room 2" in description
    assert "Moved from Tuesday 7 July 2026" in description


def test_cancelled_meeting() -> None:
    event = events(feed([FeedMeeting(AUG, AUG, True, note="Summer break")]))[
        "ipb-20260804@ofsted-bot"
    ]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Improvement Board (cancelled)"
    assert int(event["SEQUENCE"]) == 2
    assert "Summer break" in str(event["DESCRIPTION"])


@pytest.mark.parametrize(("day", "utc_hour"), [(JAN, 10), (JUL, 9)])
def test_start_is_local_time_with_tzid(day: date, utc_hour: int) -> None:
    raw = feed([FeedMeeting(day, day, False)])
    event = events(raw)[f"ipb-{day:%Y%m%d}@ofsted-bot"]
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTEND"].params["TZID"] == "Europe/London"
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert (start.date(), start.hour, start.minute) == (day, 10, 0)
    assert (end.hour, end.minute) == (12, 0)
    assert start.astimezone(UTC).hour == utc_hour
    assert f"DTSTART;TZID=Europe/London:{day:%Y%m%d}T100000\r\n".encode() in raw


def test_start_time_and_other_zone() -> None:
    raw = feed([FeedMeeting(JUL, JUL, False)], start_time=time(14, 30), tz="America/New_York")
    cal = Calendar.from_ical(raw)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    start = events(raw)["ipb-20260707@ofsted-bot"]["DTSTART"]
    assert start.params["TZID"] == "America/New_York"
    assert start.dt.astimezone(UTC) == datetime(2026, 7, 7, 18, 30, tzinfo=UTC)


def test_lines_folded_and_crlf() -> None:
    note = "Agenda: é ünïcode — " + "a long note about the improvement plan " * 8
    raw = feed([FeedMeeting(JAN, date(2026, 1, 14), False, note=note)])
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines)
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the note was folded
    description = str(events(raw)["ipb-20260113@ofsted-bot"]["DESCRIPTION"])
    assert description.startswith(note.strip())


def test_empty_calendar_is_valid() -> None:
    raw = feed([])
    cal = Calendar.from_ical(raw)
    assert cal.name == "VCALENDAR"
    assert str(cal["PRODID"]) == PRODID
    assert cal.walk("VEVENT") == []
    assert len(cal.walk("VTIMEZONE")) == 1
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")


def test_naive_generated_at_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        board_calendar(
            board_key="ipb",
            board_name="Improvement Board",
            meetings=[],
            council="Anytown Council",
            generated_at=datetime(2026, 1, 5, 8, 30),
        )
