"""Events the listeners' matchers turn away (a bot's message, an ordinary channel message, a
bot's edit or deletion, a join) are answered 200 and change nothing, so Slack neither retries
them nor turns the subscription off."""

from __future__ import annotations

import pytest
from slackdriver import Driver
from sqlalchemy import func, select

from db.database import Database
from db.models import Update

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)

BOT_MESSAGE = {"type": "message", "bot_id": "B0OTHER", "text": "red: x", "ts": "1700000100.0002"}


def update_count(db: Database) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Update)) or 0)


@pytest.mark.parametrize(
    ("fixture", "fields"),
    [
        ("message_thread_reply.json", {"bot_id": "B0OTHER", "text": "4.2 red: a bot"}),
        ("message_thread_reply.json", {"thread_ts": None, "text": "4.2 red: not in a thread"}),
        ("message_thread_reply.json", {"subtype": "channel_join", "text": "joined"}),
        ("app_mention.json", {"bot_id": "B0OTHER", "user": None}),
        ("message_changed.json", {"message": BOT_MESSAGE}),
        ("message_deleted.json", {"previous_message": BOT_MESSAGE}),
    ],
)
def test_turned_away_events_are_answered_and_change_nothing(
    slack: Driver, staffed_db: Database, fixture: str, fields: dict[str, object]
) -> None:
    answer = slack.event(fixture, **fields)
    assert answer.status == 200
    assert [c.method for c in answer.later if c.method != "auth.test"] == []
    assert update_count(staffed_db) == 0
