"""Button values and the form's private_metadata, read back: a forged or malformed one gets a
plain "out of date" answer and changes nothing (never a 500), and a button or form from an
older message, in the JSON the bot wrote before the values had models, still works."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slackdriver import Driver
from sqlalchemy import func, select

from commands.ids import (
    ActionRef,
    Carried,
    Choice,
    DateRequestRef,
    DraftRef,
    ModalMeta,
    NudgeRef,
    Rerun,
    UpdateRef,
)
from db.database import Database
from db.models import Action, Update

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)

FORGED = [
    "not json",
    "",
    '{"action": "DROP TABLE action"}',
    '{"update": -3}',
    '{"action": 99999999999999}',  # past PostgreSQL's integer: stopped before the query
    '{"cmd": 4}',
    '{"cmd": "rec 4", "page": -1}',
]
OUT_OF_DATE = "That button is out of date"


def update_count(db: Database) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Update)) or 0)


def action_id_of(db: Database, ref: str) -> int:
    with db.sessions() as session:
        found = session.scalar(select(Action.id).where(Action.ref == ref).limit(1))
        assert found is not None
        return int(found)


def forged(button: dict[str, Any], value: str) -> dict[str, Any]:
    return {**button, "value": value}


FORGED_METADATA = ["not json", "", '{"mode": "delete"}', '{"mode": "new", "action_id": "x"}', "[]"]
# every kind a button carries that names something (PostRef's one field is optional: `{}` is
# "choose in the form", so any object reads as that)
NAMING = [Rerun, ActionRef, UpdateRef, Choice, DateRequestRef, NudgeRef, DraftRef]


@pytest.mark.parametrize("kind", NAMING, ids=lambda kind: kind.__name__)
def test_a_forged_button_value_reads_as_nothing(kind: type[Carried]) -> None:
    """What the listeners do with None (say "out of date", change nothing) is shown below,
    once per way in; the parser is checked here against every forged value."""
    assert [value for value in FORGED if kind.read(value) is not None] == []


def test_a_forged_private_metadata_reads_as_nothing() -> None:
    assert [m for m in FORGED_METADATA if ModalMeta.read(m) is not None] == []


# a value that is not JSON, and one that is but names a row past PostgreSQL's integer
SOME_FORGED = ["not json", '{"action": 99999999999999}', '{"update": -3}']


@pytest.mark.parametrize("value", SOME_FORGED)
@pytest.mark.parametrize("label", ["Undo", "Edit"])
def test_a_forged_undo_or_edit_button_is_out_of_date(
    slack: Driver, staffed_db: Database, label: str, value: str
) -> None:
    logged = slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    before = update_count(staffed_db)
    answer = slack.press(forged(logged.button(label), value), user="U0CP")
    assert answer.status == 200
    if label == "Undo":
        assert OUT_OF_DATE in answer.text
    else:
        opened = [c for c in answer.later if c.method == "views.open"]
        assert [OUT_OF_DATE in json.dumps(c.args["view"]) for c in opened] == [True]
        assert not [c for c in answer.later if c.method == "views.update"]
    assert "went wrong" not in json.dumps([c.args for c in answer.later])
    assert update_count(staffed_db) == before


@pytest.mark.parametrize("value", SOME_FORGED)
def test_forged_update_sign_off_and_paging_buttons(
    slack: Driver, staffed_db: Database, value: str
) -> None:
    owner_view = slack.command("rec 4", user="U0CP")
    pressed = slack.press(forged(owner_view.button("Update"), value), user="U0CP")
    [opened] = [c for c in pressed.later if c.method == "views.open"]
    assert OUT_OF_DATE in json.dumps(opened.args["view"])
    share = slack.press(forged(owner_view.button("Share in channel"), value), user="U0CP")
    assert OUT_OF_DATE in share.text and share.message.get("replace_original") is False
    slack.command("update 4.2 done: both managers started, see HR report", user="U0CP")
    sign_off = slack.command("action 4.2", user="U0ADMIN").button("Sign off")
    before = update_count(staffed_db)
    refused = slack.press(forged(sign_off, value), user="U0ADMIN")
    assert refused.status == 200 and OUT_OF_DATE in refused.text
    assert update_count(staffed_db) == before


@pytest.mark.parametrize("metadata", ["not json", '{"mode": "new", "action_id": "x"}'])
def test_a_forged_private_metadata_is_refused_in_the_form(
    slack: Driver, staffed_db: Database, metadata: str
) -> None:
    slack.press(slack.command("rec 4", user="U0CP").button("Update"), user="U0CP")
    modal = {**slack.opened_view(), "private_metadata": metadata}
    answer = slack.submit(modal, {"text": {"type": "plain_text_input", "value": "forged"}})
    assert answer.status == 200 and answer.body is not None
    assert answer.body["response_action"] == "errors"
    assert "out of date" in answer.body["errors"]["text"]
    assert update_count(staffed_db) == 0


def test_buttons_of_older_messages_still_work(slack: Driver, staffed_db: Database) -> None:
    """Values as json.dumps wrote them (spaced, any key order) and any digest still work."""
    action = action_id_of(staffed_db, "4.1")
    old_update = {
        "action_id": "ofsted_update:0123456789ab",
        "text": {"type": "plain_text", "text": "Update"},
        "value": json.dumps({"action": action}),
    }
    slack.press(old_update, user="U0CP")
    modal = slack.opened_view()
    assert "4.1" in json.dumps(modal["blocks"]) and modal["callback_id"] == "ofsted_update_modal"
    old_page = {
        "action_id": "ofsted_more:ffffffffffff",
        "text": {"type": "plain_text", "text": "More ▸ (page 2)"},
        "value": json.dumps({"page": 0, "cmd": "rec 4"}),
    }
    assert "*4.1*" in slack.press(old_page, user="U0CP").text
    logged = slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    update_id = int(json.loads(logged.button("Undo")["value"])["update"])
    old_undo = {**logged.button("Undo"), "value": json.dumps({"update": update_id})}
    assert "Withdrawn" in slack.press(old_undo, user="U0CP").text


def test_a_form_opened_before_the_models_still_saves(slack: Driver, staffed_db: Database) -> None:
    slack.press(slack.command("rec 4", user="U0CP").button("Update"), user="U0CP")
    action = action_id_of(staffed_db, "4.1")
    older = json.dumps({"mode": "new", "action_id": action})  # as the dataclass wrote it
    modal = {**slack.opened_view(), "private_metadata": older}
    saved = slack.submit(modal, {"text": {"type": "plain_text_input", "value": "panel booked"}})
    assert saved.status == 200 and not saved.body
    assert update_count(staffed_db) == 1


def test_the_buttons_carry_the_same_json_as_before(slack: Driver, staffed_db: Database) -> None:
    """The wire format did not change, so neither did any button's action_id."""
    view = slack.command("rec 4", user="U0CP")
    update = json.loads(view.button("Update")["value"])
    assert view.button("Update")["value"] == json.dumps(update, separators=(",", ":"))
    assert list(update) == ["action"]
    share = view.button("Share in channel")
    assert json.loads(share["value"]) == {"cmd": "rec ilacs-2022 4", "page": 0}
    assert share["value"] == '{"cmd":"rec ilacs-2022 4","page":0}'
