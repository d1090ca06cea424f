"""Updates by the form: opened by *Update*, *Edit* or the message shortcut, refused inline,
and stored once however often it is submitted."""

from __future__ import annotations

import json
import re
from typing import Any

from slackdriver import Driver
from test_updates import action_row, audit_entries, updates_of

from db.database import Database
from db.status import ActionStatus, Rag

FORM: dict[str, dict[str, Any]] = {
    "status": {"type": "static_select", "selected_option": {"value": "at risk"}},
    "text": {"type": "plain_text_input", "value": "Panel capacity is short"},
}


def test_update_button_modal(slack: Driver, staffed_db: Database) -> None:
    view = slack.command("rec 4", user="U0CP")
    slack.press(view.button("Update"), user="U0CP")
    modal = slack.opened_view()
    assert modal["callback_id"] == "ofsted_update_modal"
    blank = slack.submit(modal, {"text": {"type": "plain_text_input", "value": ""}})
    assert blank.body is not None and blank.body["response_action"] == "errors"
    assert "text" in blank.body["errors"]
    no_reason = slack.submit(
        modal,
        {
            "text": {"type": "plain_text_input", "value": "slipping"},
            "due": {"type": "datepicker", "selected_date": "2023-03-31"},
        },
    )
    assert no_reason.body is not None and "due_reason" in no_reason.body["errors"]
    assert updates_of(staffed_db, "4.1") == []
    saved = slack.submit(
        modal,
        {
            "status": {"type": "static_select", "selected_option": {"value": "at risk"}},
            "rag": {"type": "radio_buttons", "selected_option": {"value": "amber"}},
            "text": {"type": "plain_text_input", "value": "Panel capacity is short <!channel>"},
            "due": {"type": "datepicker", "selected_date": "2023-12-31"},
            "due_reason": {"type": "plain_text_input", "value": "two panel members left"},
            "escalate": {"type": "checkboxes", "selected_options": [{"value": "yes"}]},
            "escalation": {"type": "plain_text_input", "value": "needs funding for a third panel"},
        },
    )
    assert saved.status == 200 and not saved.body
    dm = next(c for c in saved.later if c.method == "chat.postMessage")
    assert dm.args["channel"] == "U0CP" and "4.1" in dm.args["text"]
    assert "<!channel>" not in json.dumps(dm.args)
    action = action_row(staffed_db, "4.1")
    assert action.status == ActionStatus.AT_RISK
    # the new due date is asked of the board (tests/test_decisions.py), not applied at once
    assert str(action.due) == "2023-09-30" and str(action.due_original) == "2023-09-30"
    assert "asked the board for a new due date, 31 Dec 2023" in json.dumps(dm.args)
    assert re.search(  # in each reader's own locale
        r"due <!date\^\d+\^\{date_short\}\|30 Sep 2023>", slack.command("action 4.1").text
    )
    assert "escalated" in json.dumps(dm.args)


def test_modal_refusal_shows_inline(slack: Driver, staffed_db: Database) -> None:
    slack.press(slack.command("rec 4", user="U0CP").button("Update"), user="U0CP")
    answer = slack.submit(
        slack.opened_view(),
        {
            "status": {"type": "static_select", "selected_option": {"value": "complete"}},
            "text": {"type": "plain_text_input", "value": "done"},
        },
        user="U0CP",
    )
    assert answer.body is not None and answer.body["response_action"] == "errors"
    assert "say what shows it is done" in answer.body["errors"]["text"]


def test_message_shortcut(slack: Driver, staffed_db: Database) -> None:
    slack.shortcut(text="Mockingbird hub number three launched today with six carers")
    modal = slack.opened_view()
    text_block = next(b for b in modal["blocks"] if b.get("block_id") == "text")
    assert text_block["element"]["initial_value"].startswith("Mockingbird hub")
    picker = next(b for b in modal["blocks"] if b.get("block_id") == "action")
    option = next(o for o in picker["element"]["options"] if o["text"]["text"].startswith("4.2"))
    slack.submit(
        modal,
        {
            "action": {"type": "static_select", "selected_option": {"value": option["value"]}},
            "text": {"type": "plain_text_input", "value": text_block["element"]["initial_value"]},
        },
    )
    [update] = updates_of(staffed_db, "4.2")
    assert update.slack_channel == "C0TEAM" and update.permalink
    assert update.source.value == "shortcut"


def test_edit_button_opens_the_form_and_saves_a_new_version(
    slack: Driver, staffed_db: Database
) -> None:
    logged = slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    slack.press(logged.button("Edit"), user="U0CP")
    modal = slack.opened_view()
    assert json.loads(modal["private_metadata"])["mode"] == "edit"
    text = next(b for b in modal["blocks"] if b.get("block_id") == "text")
    assert text["element"]["initial_value"] == "waiting for HR"
    slack.submit(
        modal,
        {
            "text": {"type": "plain_text_input", "value": "waiting for HR panel"},
            "rag": {"type": "radio_buttons", "selected_option": {"value": "red"}},
        },
    )
    versions = updates_of(staffed_db, "4.2")
    assert [(u.version, u.text) for u in versions] == [
        (1, "waiting for HR"),
        (2, "waiting for HR panel"),
    ]
    assert action_row(staffed_db, "4.2").rag == Rag.RED
    slack.press(logged.button("Edit"), user="U0PRACT")
    refused = slack.submit(
        slack.opened_view(),
        {"text": {"type": "plain_text_input", "value": "hijack"}},
        user="U0PRACT",
    )
    assert refused.body is not None and "Only whoever wrote" in refused.body["errors"]["text"]


def test_a_form_submitted_twice_is_stored_once(slack: Driver, staffed_db: Database) -> None:
    slack.press(slack.command("action 4.1", user="U0CP").button("Update"), user="U0CP")
    modal = slack.opened_view()
    first = slack.submit(modal, FORM)
    again = slack.submit(modal, FORM)  # Slack sends it again: the first answer was slow
    assert [u.text for u in updates_of(staffed_db, "4.1")] == ["Panel capacity is short"]
    assert audit_entries(staffed_db) == 1
    assert (first.status, first.body, again.status, again.body) == (200, None, 200, None)
    dms = [c for a in (first, again) for c in a.later if c.method == "chat.postMessage"]
    assert len(dms) == 1  # one confirmation


def test_a_corrected_form_is_a_new_submission(slack: Driver, staffed_db: Database) -> None:
    slack.press(slack.command("action 4.1", user="U0CP").button("Update"), user="U0CP")
    modal = slack.opened_view()
    refused = slack.submit(
        modal, {**FORM, "due": {"type": "datepicker", "selected_date": "2023-03-31"}}
    )
    assert refused.body is not None and refused.body["response_action"] == "errors"
    slack.submit(modal, FORM)
    assert len(updates_of(staffed_db, "4.1")) == 1


def test_an_edit_submitted_twice_is_one_version(slack: Driver, staffed_db: Database) -> None:
    logged = slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    slack.press(logged.button("Edit"), user="U0CP")
    modal = slack.opened_view()
    values = {"text": {"type": "plain_text_input", "value": "waiting for HR panel"}}
    slack.submit(modal, values)
    slack.submit(modal, values)
    assert [(u.version, u.text) for u in updates_of(staffed_db, "4.2")] == [
        (1, "waiting for HR"),
        (2, "waiting for HR panel"),
    ]
