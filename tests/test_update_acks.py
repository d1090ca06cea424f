"""Slack hears back first: an update is stored before the app answers, and everything that talks
to the Web API (confirmations, reactions, filling a form) comes after the answer. Forms open at
once (a trigger id lives 3 seconds) with a small view that is filled in afterwards.

The driver runs Bolt's lazy listeners after the app has answered, and records which Web API
calls came before the answer (`Answer.before_answer`); one test uses Bolt's own threads with
a Web API that does not answer until the test has seen the app's answer.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from conftest import bot_settings
from slack_bolt import BoltRequest
from slackdriver import SECRET, Driver, MovableClock, fixture, interaction_body
from test_updates import reply, share, updates_of

from bot.app import build_app
from bot.devtools.fakeslack import Call, FakeSlack
from bot.devtools.slack_requests import signed_headers
from db.database import Database

FORM: dict[str, dict[str, Any]] = {
    "status": {"type": "static_select", "selected_option": {"value": "at risk"}},
    "text": {"type": "plain_text_input", "value": "Panel capacity is short"},
}


def methods(calls: list[Call]) -> list[str]:
    return [c.method for c in calls]


def test_the_form_is_answered_before_the_confirmation(slack: Driver, staffed_db: Database) -> None:
    slack.press(slack.command("action 4.1", user="U0CP").button("Update"), user="U0CP")
    slack.fake.fail_next("chat.postMessage", error="ratelimited")  # Slack is having a bad day
    saved = slack.submit(slack.opened_view(), FORM)
    assert (saved.status, saved.body) == (200, None)
    assert saved.before_answer == []
    assert methods(saved.later) == ["chat.postMessage"]
    assert [u.text for u in updates_of(staffed_db, "4.1")] == ["Panel capacity is short"]


def test_the_update_button_opens_the_form_at_once(slack: Driver) -> None:
    pressed = slack.press(slack.command("action 4.1", user="U0CP").button("Update"), user="U0CP")
    assert pressed.before_answer == []
    assert methods(pressed.later) == ["views.open", "views.update"]
    opened, filled = pressed.later
    assert not [b for b in opened.args["view"]["blocks"] if b["type"] == "input"]
    assert filled.args["view_id"] == opened.response["view"]["id"]
    assert any(b.get("block_id") == "text" for b in filled.args["view"]["blocks"])


def test_the_edit_button_and_the_shortcut_open_the_form_at_once(slack: Driver) -> None:
    logged = slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    edit = slack.press(logged.button("Edit"), user="U0CP")
    assert edit.before_answer == [] and methods(edit.later) == ["views.open", "views.update"]
    shortcut = slack.shortcut(text="Mockingbird hub launched")
    assert shortcut.before_answer == []
    assert methods(shortcut.later)[0] == "views.open"
    assert methods(shortcut.later)[-1] == "views.update"


def test_replies_and_mentions_are_answered_before_the_confirmation(
    slack: Driver, staffed_db: Database
) -> None:
    thread = share(slack, "action 4.3")
    replied = reply(slack, "amber: waiting for HR", thread)
    assert replied.before_answer == []
    assert methods(replied.later) == ["reactions.add", "chat.postMessage"]
    mentioned = slack.event("app_mention.json")
    assert mentioned.before_answer == [] and "chat.postMessage" in methods(mentioned.later)
    assert len(updates_of(staffed_db, "4.3")) == len(updates_of(staffed_db, "4.2")) == 1


def test_undo_and_choose_answer_after_the_ack(slack: Driver) -> None:
    logged = slack.command("update 4.2 red: blocked", user="U0CP")
    undone = slack.press(logged.button("Undo"), user="U0CP")
    assert undone.before_answer == [] and "Withdrawn" in undone.text
    thread = share(slack, "rec 4")
    asked = reply(slack, "amber: waiting for HR", thread, ts="1700000102.1")
    question = next(c for c in asked.later if c.method == "chat.postEphemeral")
    first = next(
        e for b in question.args["blocks"] if b["type"] == "actions" for e in b["elements"]
    )
    chosen = slack.press(first, user="U0CP", channel="C0BOARD")
    assert chosen.before_answer == [] and "Logged for *4.1*" in json.dumps(chosen.later[-1].args)


def test_with_bolts_threads_a_slow_web_api_does_not_hold_the_answer(
    staffed_db: Database, database_url: str, clock: MovableClock
) -> None:
    """The confirmation's chat.postMessage is held until the test has the app's answer; if the
    app waited for it before answering, the hold would give up and say so."""
    answered = threading.Event()
    gave_up: list[bool] = []

    def hold(call: Call) -> None:
        if call.method == "chat.postMessage":
            gave_up.append(not answered.wait(20))

    with FakeSlack(on_call=hold) as fake:
        app = build_app(bot_settings(database_url, fake), staffed_db, clock=clock)
        bolts_own = app.listener_runner.lazy_listener_runner
        driver = Driver(app, fake)
        driver.press(driver.command("action 4.1", user="U0CP").button("Update"), user="U0CP")
        modal = driver.opened_view()
        app.listener_runner.lazy_listener_runner = bolts_own
        payload = fixture("view_submission.json")
        payload["view"].update(
            id=modal["id"],
            blocks=modal["blocks"],
            callback_id=modal["callback_id"],
            private_metadata=modal["private_metadata"],
            state={"values": {k: {"value": v} for k, v in FORM.items()}},
        )
        body = interaction_body(payload)
        response = app.dispatch(BoltRequest(body=body, headers=signed_headers(SECRET, body)))
        answered.set()
        assert response.status == 200
        assert [u.text for u in updates_of(staffed_db, "4.1")] == ["Panel capacity is short"]
        finished = threading.Event()
        for _ in range(200):  # wait for the lazy listener's call (at most a few seconds)
            if gave_up or finished.wait(0.05):
                break
    assert gave_up == [False]
