"""The statutory clock: the written action plan is due to Ofsted 70 working days after the
report is received (England-and-Wales bank holidays not counted); the board's secretary and the
admins are reminded 20, 10 and 5 working days before, each once, through the outbox; `/ofsted
plans` and App Home say where it stands."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import bot_settings
from slackdriver import Driver
from sqlalchemy import select

from bot.app import make_client
from bot.devtools.fakeslack import Call, FakeSlack
from bot.outbox import tick
from bot.settings import Settings
from db.database import Database
from db.models import Delivery, DeliveryState, Plan
from db.plan_import import import_plan_file
from db.planfile import PlanFileError, parse_plan_file
from jobs.statutory import add_working_days, clock_of, reminder_day, working_days_left

LONDON = Settings().tz
CLOCK = Path(__file__).parent / "fixtures" / "plans" / "clock.yaml"
EASTER_DEADLINE = date(2027, 4, 14)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


# -- working days --------------------------------------------------------------------------


def test_seventy_working_days_across_christmas_and_new_year() -> None:
    # Christmas Fri 25 Dec 2026, Boxing Day (Sat) kept on Mon 28 Dec, New Year Fri 1 Jan 2027
    clock = clock_of("inspection", date(2026, 12, 3), None, None)
    assert clock is not None and clock.deadline == date(2027, 3, 16)
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    assert working_days_left(date(2026, 12, 24), date(2026, 12, 29)) == 1


def test_seventy_working_days_across_easter() -> None:
    clock = clock_of("inspection", date(2027, 1, 4), None, None)
    assert clock is not None and clock.deadline == EASTER_DEADLINE
    # Thursday before Good Friday: Fri 26 and Mon 29 Mar are bank holidays
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert working_days_left(date(2027, 3, 25), date(2027, 3, 30)) == 1
    assert [reminder_day(EASTER_DEADLINE, n) for n in (20, 10, 5)] == [
        date(2027, 3, 15),
        date(2027, 3, 31),
        date(2027, 4, 7),
    ]
    assert [clock.days_left(reminder_day(EASTER_DEADLINE, n)) for n in (20, 10, 5)] == [20, 10, 5]
    assert clock.days_left(EASTER_DEADLINE) == 0 and clock.running(EASTER_DEADLINE)
    assert not clock.running(EASTER_DEADLINE + timedelta(days=1))


def test_the_state_funeral_of_2022_was_not_a_working_day() -> None:
    assert add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)


def test_received_is_published_unless_the_file_says_otherwise() -> None:
    published = clock_of("inspection", date(2027, 1, 4), None, None)
    received = clock_of("inspection", date(2027, 1, 4), date(2026, 12, 3), None)
    assert published is not None and published.received == date(2027, 1, 4)
    assert received is not None and received.deadline == date(2027, 3, 16)
    assert clock_of("monitoring-visit", date(2027, 1, 4), None, None) is None
    assert clock_of("inspection", None, None, None) is None


def test_the_plan_file_reads_received_and_submitted(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(
        CLOCK.read_text().replace(
            "published: 2027-01-04",
            "published: 2027-01-04\n    received: 2026-12-21\n    submitted: 2027-03-01",
        )
    )
    plan = parse_plan_file(path).plans[0]
    assert (plan.received, plan.submitted) == (date(2026, 12, 21), date(2027, 3, 1))
    path.write_text(CLOCK.read_text().replace("published: 2027-01-04", "received: 4 Jan"))
    with pytest.raises(PlanFileError, match="received"):
        parse_plan_file(path)


# -- the reminders, through the outbox ----------------------------------------------------------


@pytest.fixture
def clock_db(empty_db: Database) -> Database:
    import_plan_file(empty_db.writes, CLOCK)
    return empty_db


Ticker = Callable[[datetime], object]


@pytest.fixture
def tickers(clock_db: Database, database_url: str, fake_slack: FakeSlack) -> list[Ticker]:
    """Two tickers (as two processes would be) on one database and one Slack."""
    found: list[Ticker] = []
    for _ in range(2):
        settings = bot_settings(database_url, fake_slack, send_interval=0.0)
        client = make_client(settings)
        found.append(lambda now, s=settings, c=client: tick(clock_db, c, s, now))
    return found


def tick_days(tickers: list[Ticker], first: date, last: date, times: tuple[str, ...]) -> None:
    """Every day from first to last, at each time, both tickers at once."""
    day = first
    with ThreadPoolExecutor(max_workers=len(tickers)) as pool:
        while day <= last:
            for hhmm in times:
                now = at(f"{day.isoformat()}T{hhmm}")
                for future in [pool.submit(t, now) for t in tickers]:
                    future.result()
            day += timedelta(days=1)


def deadline_posts(fake: FakeSlack) -> list[Call]:
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.status == 200
        and c.response.get("ok")
        and "metadata" in c.args
        and c.args["metadata"]["event_payload"]["key"].startswith("deadline:")
    ]


def deadline_deliveries(db: Database) -> list[Delivery]:
    with db.sessions() as session:
        return list(
            session.scalars(
                select(Delivery).where(Delivery.kind == "deadline").order_by(Delivery.id)
            )
        )


def test_the_secretary_and_the_admins_are_reminded_20_10_and_5_working_days_before_once_each(
    tickers: list[Ticker], fake_slack: FakeSlack, clock_db: Database
) -> None:
    tick_days(tickers, date(2027, 3, 8), date(2027, 4, 21), ("08:55", "09:00", "09:05", "16:00"))
    keys = sorted(c.args["metadata"]["event_payload"]["key"] for c in deadline_posts(fake_slack))
    assert keys == sorted(
        f"deadline:ilacs-2027:2027-04-14:{n}:{who}"
        for n in (20, 10, 5)
        for who in ("U0ADMIN", "U0SEC")
    )
    sent = {
        (d.recipient, d.payload["before"]): d.sent_at.astimezone(LONDON).replace(tzinfo=None)
        for d in deadline_deliveries(clock_db)
        if d.sent_at is not None
    }
    for who in ("U0ADMIN", "U0SEC"):
        assert sent[(who, 20)] == datetime(2027, 3, 15, 9, 0)
        assert sent[(who, 10)] == datetime(2027, 3, 31, 9, 0)
        assert sent[(who, 5)] == datetime(2027, 4, 7, 9, 0)
    texts = {c.args["text"] for c in deadline_posts(fake_slack)}
    for left in ("20 working days left", "10 working days left", "5 working days left"):
        assert any("due to Ofsted on Wednesday 14 Apr 2027: " + left in t for t in texts)


def test_a_bot_that_starts_late_sends_only_the_latest_reminder(
    tickers: list[Ticker], fake_slack: FakeSlack, clock_db: Database
) -> None:
    tick_days(tickers, date(2027, 4, 8), date(2027, 4, 20), ("09:30", "15:00"))
    keys = sorted(c.args["metadata"]["event_payload"]["key"] for c in deadline_posts(fake_slack))
    assert keys == [
        "deadline:ilacs-2027:2027-04-14:5:U0ADMIN",
        "deadline:ilacs-2027:2027-04-14:5:U0SEC",
    ]
    assert all("4 working days left" in c.args["text"] for c in deadline_posts(fake_slack))


def test_nothing_is_sent_after_the_deadline(
    tickers: list[Ticker], fake_slack: FakeSlack, clock_db: Database
) -> None:
    tick_days(tickers, date(2027, 4, 15), date(2027, 4, 30), ("09:00", "12:00"))
    assert deadline_posts(fake_slack) == []
    assert deadline_deliveries(clock_db) == []


def test_a_reminder_owed_when_the_plan_is_submitted_is_skipped(
    tickers: list[Ticker], fake_slack: FakeSlack, clock_db: Database, tmp_path: Path
) -> None:
    from jobs.statutory import plan_deadlines

    with clock_db.writes.begin() as session:
        owed = plan_deadlines(session, at("2027-03-15T09:00"), LONDON, ("U0ADMIN",))
    assert len(owed) == 2
    submitted = tmp_path / "submitted.yaml"
    submitted.write_text(
        CLOCK.read_text().replace(
            "published: 2027-01-04", "published: 2027-01-04\n    submitted: 2027-03-15"
        )
    )
    import_plan_file(clock_db.writes, submitted)
    tick_days(tickers, date(2027, 3, 15), date(2027, 4, 20), ("09:05",))
    assert deadline_posts(fake_slack) == []
    assert [d.state for d in deadline_deliveries(clock_db)] == [DeliveryState.SKIPPED] * 2


# -- where it is shown ----------------------------------------------------------------------


def running_in_2022(tmp_path: Path) -> Path:
    """The clock plan, published 1 Aug 2022: due Wednesday 9 Nov 2022 (the Queen's state
    funeral on 19 Sep 2022 not counted); on Monday 5 Sep 2022 (the driver's NOW) 46 working
    days are left."""
    path = tmp_path / "clock-2022.yaml"
    path.write_text(CLOCK.read_text().replace("published: 2027-01-04", "published: 2022-08-01"))
    return path


def test_plans_shows_the_days_left_or_when_it_was_due_or_submitted(
    slack: Driver, staffed_db: Database, tmp_path: Path
) -> None:
    import_plan_file(staffed_db.writes, running_in_2022(tmp_path))
    import_plan_file(staffed_db.writes, Path(__file__).parent.parent / "plans" / "stockton.yaml")
    text = json.dumps(slack.command("plans").message, ensure_ascii=False)
    assert "action plan due to Ofsted Wednesday 9 Nov 2022: 46 working days left" in text
    assert "action plan was due to Ofsted 22 Jun 2022" in text  # ilacs-2022, published 9 Mar
    assert "action plan submitted to Ofsted 3 Oct 2019" in text  # Stockton's, as printed
    assert "action plan was due to Ofsted 23 Aug 2018" in text  # ilacs-2018, published 16 May
    assert text.count("action plan") == 4  # the four inspections; reviews and visits have none


def test_app_home_shows_a_running_clock_only(
    slack: Driver, staffed_db: Database, tmp_path: Path
) -> None:
    import_plan_file(staffed_db.writes, running_in_2022(tmp_path))
    slack.event("app_home_opened.json", user="U0CP")
    home = json.dumps(slack.fake.calls_to("views.publish")[-1].args["view"], ensure_ascii=False)
    assert "`ilacs-2027`: action plan due to Ofsted Wednesday 9 Nov 2022: 46 working days" in home
    assert "ilacs-2022" not in home.split("My actions")[0]
    with staffed_db.sessions() as session:
        assert session.scalar(select(Plan.submitted).where(Plan.key == "ilacs-2027")) is None
