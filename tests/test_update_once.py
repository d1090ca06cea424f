"""A slash update or a form sent twice (a replayed request, a double submit after a slow answer)
is stored once, and the second answer is the first's."""

from __future__ import annotations

from typing import Any

from slackdriver import Driver, slash_body
from sqlalchemy import func, select
from test_updates import updates_of

from db.database import Database
from db.models import AuditEntry


def audit_entries(db: Database) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_replayed_slash_update_is_stored_once(slack: Driver, staffed_db: Database) -> None:
    body = slash_body(
        "update 4.2 amber: waiting for HR",
        user="U0CP",
        channel="C0PRACTICE",
        response_url=slack.fake.response_url(),
    )
    first = slack.send(body)
    again = slack.send(body)  # the same signed request, sent again
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["waiting for HR"]
    assert audit_entries(staffed_db) == 1
    assert "Logged for *4.2*" in again.text
    assert again.button("Undo")["value"] == first.button("Undo")["value"]  # the same update


def test_two_slash_updates_with_the_same_words_are_two(slack: Driver, staffed_db: Database) -> None:
    slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    assert len(updates_of(staffed_db, "4.2")) == 2


FORM: dict[str, dict[str, Any]] = {
    "status": {"type": "static_select", "selected_option": {"value": "at risk"}},
    "text": {"type": "plain_text_input", "value": "Panel capacity is short"},
}


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
