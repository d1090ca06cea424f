"""Updates at the same moment: each takes the action's lock before it reads what it changes, and
is timed when it is applied, so two Undo presses withdraw once and history's order is the order
the updates were applied (on PostgreSQL, where writers really overlap, as on SQLite). No timing
is asserted: only what was stored."""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from itertools import pairwise

from conftest import NOW, bot_settings
from slackdriver import Answer, Driver
from sqlalchemy import select

from bot.app import build_app
from bot.devtools.fakeslack import FakeSlack
from db.database import Database
from db.models import Action, Update
from db.status import ActionStatus


class TickingClock:
    """A clock that moves on a microsecond each time it is read (thread-safe): no two reads are
    the same time, so an update timed before it waited for the lock shows up out of order."""

    def __init__(self, start: datetime) -> None:
        self.current = start
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            self.current += timedelta(microseconds=1)
            return self.current


def ticking_slack(db: Database, database_url: str, fake: FakeSlack) -> Driver:
    app = build_app(bot_settings(database_url, fake), db, clock=TickingClock(NOW))
    return Driver(app, fake)


def test_two_undo_presses_at_once_withdraw_once(slack: Driver, staffed_db: Database) -> None:
    for attempt in range(5):
        logged = slack.command(f"update 4.2 red: typo {attempt}", user="U0CP")
        undo = logged.button("Undo")
        barrier = threading.Barrier(2)

        def press(
            _: int, undo: dict[str, object] = undo, start: threading.Barrier = barrier
        ) -> Answer:
            start.wait()
            return slack.press(undo, user="U0CP")

        before = len(slack.fake.calls)
        with ThreadPoolExecutor(max_workers=2) as pool:
            assert [a.status for a in pool.map(press, range(2))] == [200, 200]
        responses = [c for c in slack.fake.calls[before:] if c.method == "response_url"]
        said = sorted(str(c.args.get("text")) for c in responses)
        assert len(said) == 2, said
        assert sum("already been withdrawn" in s for s in said) == 1, said
        with staffed_db.sessions() as session:
            versions = list(
                session.scalars(
                    select(Update).where(Update.text == f"typo {attempt}").order_by(Update.id)
                )
            )
            assert [(u.version, u.retracted) for u in versions] == [(1, False), (2, True)]
            action = session.scalar(select(Action).where(Action.ref == "4.2").limit(1))
            assert action is not None and action.status != ActionStatus.OFF_TRACK


def test_concurrent_updates_are_in_history_in_the_order_applied(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    slack = ticking_slack(staffed_db, database_url, fake_slack)
    words = ("green", "amber", "red")

    def one(i: int) -> Answer:
        return slack.command(f"update 4.{1 + i % 2} {words[i % 3]}: step {i}", user="U0CP")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(60)))
    assert all("Logged for" in a.text for a in answers)
    with staffed_db.sessions() as session:
        by_action: dict[int, list[Update]] = defaultdict(list)
        for update in session.scalars(select(Update).order_by(Update.id)):
            by_action[update.action_id].append(update)  # ids: the order applied
        assert sum(len(u) for u in by_action.values()) == 60
        for action_id, applied in by_action.items():
            times = [u.created_at for u in applied]
            assert times == sorted(times), "history's order is not the order applied"
            for before, after in pairwise(applied):
                assert after.status_from == before.status_to  # each saw the one before
            action = session.get(Action, action_id)
            assert action is not None
            assert action.latest_update_id == applied[-1].id
            assert action.status == applied[-1].status_to  # the card agrees with its status
