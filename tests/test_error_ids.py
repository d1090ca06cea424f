"""One path for errors (commands.errors): in an ack listener or after the ack, the user is told
an error id (never a traceback) and the log has the same id with the details."""

from __future__ import annotations

import pytest
from slackdriver import Answer, Driver
from sqlalchemy import text

from db.database import Database

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)


def break_table(db: Database, table: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {table} RENAME TO {table}_gone"))


def told_id(answer: Answer, caplog: pytest.LogCaptureFixture) -> str:
    told = answer.text
    assert "something went wrong" in told and "Traceback" not in told
    assert answer.message.get("replace_original") is False
    error_id = told.split("error id `")[1][:8]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)
    return error_id


def test_an_error_after_the_ack_is_told_by_id(
    slack: Driver, staffed_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    break_table(staffed_db, "bot_message")  # the answer is posted, then remembering it fails
    told_id(slack.command("rec 4 share", user="U0CP", channel="C0BOARD"), caplog)


def test_an_error_in_a_buttons_ack_is_told_by_id(
    slack: Driver, staffed_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    logged = slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    break_table(staffed_db, "action_update")
    first = told_id(slack.press(logged.button("Undo"), user="U0CP"), caplog)
    second = told_id(slack.press(logged.button("Undo"), user="U0CP"), caplog)
    assert first != second
