"""Small by design: what a command may make the database do, who a shared answer may ping,
what an error's log line may carry, and a payload that names no user."""

from __future__ import annotations

import json

import pytest
from slackdriver import Driver, fixture, interaction_body, slash_body
from sqlalchemy import func, select, text

from db.database import Database
from db.models import Update


def update_count(db: Database) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Update)) or 0)


def test_a_command_or_an_interaction_that_names_no_user_gets_400_and_does_nothing(
    slack: Driver, staffed_db: Database
) -> None:
    url = slack.fake.response_url()
    command = slash_body(
        "update 4.1 amber: nobody sent this", user="U0CP", channel="C0X", response_url=url
    )
    bodies = [command.replace("user_id=U0CP", "user_id=")]
    for name in ("block_actions.json", "view_submission.json", "message_action.json"):
        payload = fixture(name)
        payload.pop("user", None)
        bodies.append(interaction_body(payload))
        bodies.append(interaction_body({**payload, "user": {"name": "someone"}}))
    before = update_count(staffed_db)
    slack.fake.clear()
    for body in bodies:
        assert slack.send(body).status == 400, body[:80]
    assert [c.method for c in slack.fake.calls if c.method != "auth.test"] == []  # the bot's own
    assert update_count(staffed_db) == before


def test_an_errors_log_line_has_the_verb_and_id_not_what_was_written(
    slack: Driver, staffed_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with staffed_db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE action_update RENAME TO action_update_gone"))
    told = slack.command("update 4.2 amber: Ms Jones's private circumstances", user="U0CP").text
    error_id = told.split("error id `")[1][:8]
    logged = "\n".join(
        [r.getMessage() for r in caplog.records]
        + [caplog.text]  # with the tracebacks as they are written
    )
    assert error_id in logged and "'update'" in logged
    assert "private circumstances" not in logged


def test_a_shared_owner_answer_does_not_ping_the_person(slack: Driver) -> None:
    shared = slack.command("owner <@UEVIL1> share", user="U0CP", channel="C0BOARD")
    assert shared.messages and any(c.method == "chat.postMessage" for c in shared.later)
    assert all("<@UEVIL1" not in json.dumps(message) for message in shared.messages)


@pytest.mark.parametrize("words", [1200, 11])
def test_owner_with_many_words_is_refused_plainly(
    slack: Driver, words: int, caplog: pytest.LogCaptureFixture
) -> None:
    answer = slack.command("owner " + " ".join(f"w{n}" for n in range(words)), user="U0CP")
    assert "Name a post in a few words" in answer.text
    assert "error id" not in answer.text and not [
        r for r in caplog.records if r.levelname == "ERROR"
    ]
