"""Meetings: `board move` and `board cancel` keep one meeting per board a day,
leave the past alone, stay within a sane horizon, and say which meeting they changed.

The Achieving Excellence Board (secretary U0SPM) meets every six weeks on Wednesdays: 31 Aug,
12 Oct, 23 Nov 2022, 4 Jan 2023; the clock says Monday 5 Sep 2022.
"""

from __future__ import annotations

from collections import Counter

from conftest import NOW
from slackdriver import Driver
from sqlalchemy import select

from db.database import Database
from db.models import Meeting, MeetingStatus
from jobs.meetings import ensure_meetings, find_board


def stored(db: Database) -> None:
    """The board's meetings stored ahead, as the scheduler's first tick stores them."""
    with db.writes.begin() as session:
        board = find_board(session, "aeb")
        assert board is not None
        ensure_meetings(session, [board], NOW.date())


def meeting_days(db: Database) -> list[tuple[str, str]]:
    with db.sessions() as session:
        rows = session.execute(
            select(Meeting.cadence_date, Meeting.held_on, Meeting.status).order_by(Meeting.id)
        )
        return [(f"{c}", f"{h} {s.value}") for c, h, s in rows]


def held_days(db: Database) -> Counter[tuple[int, str]]:
    with db.sessions() as session:
        rows = session.execute(
            select(Meeting.board_id, Meeting.held_on).where(
                Meeting.status != MeetingStatus.CANCELLED
            )
        )
        return Counter((board, f"{day}") for board, day in rows)


def test_a_move_onto_a_day_the_board_already_meets_is_refused(
    slack: Driver, staffed_db: Database
) -> None:
    stored(staffed_db)
    before = meeting_days(staffed_db)
    refused = slack.command("board move aeb 2022-10-12 2022-11-23", user="U0SPM")
    assert "already meets on 23 Nov 2022" in refused.text
    moved = slack.command("board move aeb 2022-10-12 2022-10-19", user="U0SPM")
    assert "now meets on Wednesday 19 Oct 2022" in moved.text
    again = slack.command("board move aeb 2022-11-23 2022-10-19", user="U0SPM")
    assert "already meets on 19 Oct 2022" in again.text
    back = slack.command("board move aeb 2022-10-19 2022-10-12", user="U0SPM")  # its own day
    assert "now meets on Wednesday 12 Oct 2022" in back.text
    assert meeting_days(staffed_db) == before
    assert max(held_days(staffed_db).values()) == 1


def test_a_past_meeting_is_not_moved_or_cancelled_and_none_is_moved_into_the_past(
    slack: Driver, staffed_db: Database
) -> None:
    stored(staffed_db)
    before = meeting_days(staffed_db)
    moved = slack.command("board move aeb 2022-08-31 2022-09-14", user="U0SPM")
    assert "has passed: it cannot be moved" in moved.text
    cancelled = slack.command("board cancel aeb 2022-08-31", user="U0SPM")
    assert "has passed: it cannot be cancelled" in cancelled.text
    into_the_past = slack.command("board move aeb 2022-10-12 2022-09-01", user="U0SPM")
    assert "still ahead" in into_the_past.text
    assert meeting_days(staffed_db) == before


def test_a_move_past_the_horizon_is_refused(slack: Driver, staffed_db: Database) -> None:
    stored(staffed_db)
    before = meeting_days(staffed_db)
    for far in ("9999-12-31", "2023-06-01"):
        refused = slack.command(f"board move aeb 2022-10-12 {far}", user="U0SPM")
        assert "at most 26 weeks ahead" in refused.text, far
    assert meeting_days(staffed_db) == before


def test_cancel_says_which_meeting(slack: Driver) -> None:
    slack.command("board move aeb 2022-10-12 2022-10-19", user="U0SPM")
    cancelled = slack.command("board cancel aeb 2022-10-12", user="U0SPM")  # by its cadence day
    assert (
        "will not meet on Wednesday 19 Oct 2022 (its meeting of 12 Oct 2022, moved there)"
        in cancelled.text
    )
    plain = slack.command("board cancel aeb 2022-11-23", user="U0SPM")
    assert "will not meet on Wednesday 23 Nov 2022." in plain.text
