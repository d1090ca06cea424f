"""Status and RAG never contradict each other, on every way an update or a plan comes in.

The rule (db.status.settle_rag): a change of status sets the RAG it implies (on track green, at
risk amber, off track red, not started not yet rated) unless the owner chooses a RAG in the
form; complete and signed off are always green. Also: a reply kept for "which action?" keeps
its status word, and a DM is recorded as a DM.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from slackdriver import Driver
from sqlalchemy import select
from test_updates import action_row, reply, share, updates_of

from db.database import Database
from db.models import Action
from db.plan_import import import_plan_file
from db.status import ActionStatus, Rag


def pick(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def rag(value: str) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": {"value": value}}


def words(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def open_form(slack: Driver, ref: str) -> dict[str, Any]:
    slack.press(slack.command(f"action {ref}", user="U0CP").button("Update"), user="U0CP")
    return slack.opened_view()


def state(db: Database, ref: str) -> tuple[ActionStatus, Rag | None]:
    action = action_row(db, ref)
    return action.status, action.rag


# --- a reply kept for "which action?" --------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "status", "rag_", "text"),
    [
        ("amber: waiting for HR", ActionStatus.AT_RISK, Rag.AMBER, "waiting for HR"),
        ("red: blocked by finance", ActionStatus.OFF_TRACK, Rag.RED, "blocked by finance"),
    ],
)
def test_a_kept_reply_keeps_its_status_word(
    slack: Driver, staffed_db: Database, typed: str, status: ActionStatus, rag_: Rag, text: str
) -> None:
    thread = share(slack, "rec 4")
    asked = reply(slack, typed, thread, ts="1700000102.1")
    question = next(c for c in asked.later if c.method == "chat.postEphemeral")
    choices = [e for b in question.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert state(staffed_db, "4.3") == (ActionStatus.ON_TRACK, Rag.GREEN)
    slack.press(choices[2], user="U0CP", channel="C0BOARD")  # 4.3
    [update] = updates_of(staffed_db, "4.3")
    assert (update.status_to, update.rag_to, update.text) == (status, rag_, text)
    assert state(staffed_db, "4.3") == (status, rag_)


# --- the form and the shortcut ----------------------------------------------------------------


def test_the_form_does_not_choose_a_rag_for_the_owner(slack: Driver) -> None:
    modal = open_form(slack, "4.3")
    rag_block = next(b for b in modal["blocks"] if b.get("block_id") == "rag")
    assert "initial_option" not in rag_block["element"]
    assert "follows the status" in str(rag_block.get("hint"))


def test_a_new_status_in_the_form_sets_its_rag(slack: Driver, staffed_db: Database) -> None:
    assert state(staffed_db, "4.3") == (ActionStatus.ON_TRACK, Rag.GREEN)
    slack.submit(open_form(slack, "4.3"), {"status": pick("at risk"), "text": words("HR")})
    assert state(staffed_db, "4.3") == (ActionStatus.AT_RISK, Rag.AMBER)


def test_complete_in_the_form_is_green(slack: Driver, staffed_db: Database) -> None:
    assert state(staffed_db, "4.1") == (ActionStatus.NOT_STARTED, None)
    slack.submit(
        open_form(slack, "4.1"),
        {"status": pick("complete"), "text": words("panel has met weekly since June, see minutes")},
    )
    assert state(staffed_db, "4.1") == (ActionStatus.COMPLETE, Rag.GREEN)


def test_complete_and_red_in_the_form_is_refused(slack: Driver, staffed_db: Database) -> None:
    refused = slack.submit(
        open_form(slack, "4.1"),
        {"status": pick("complete"), "rag": rag("red"), "text": words("all done, see minutes")},
    )
    assert refused.body is not None and "green" in refused.body["errors"]["rag"]
    assert updates_of(staffed_db, "4.1") == []


def test_a_rag_chosen_in_the_form_is_kept(slack: Driver, staffed_db: Database) -> None:
    slack.submit(
        open_form(slack, "4.3"),
        {"status": pick("at risk"), "rag": rag("green"), "text": words("at risk, but in hand")},
    )
    assert state(staffed_db, "4.3") == (ActionStatus.AT_RISK, Rag.GREEN)


def test_the_shortcut_follows_the_rule(slack: Driver, staffed_db: Database) -> None:
    slack.shortcut(text="Panel has met weekly since June, see the minutes")
    modal = slack.opened_view()
    picker = next(b for b in modal["blocks"] if b.get("block_id") == "action")
    option = next(o for o in picker["element"]["options"] if o["text"]["text"].startswith("4.1"))
    slack.submit(
        modal,
        {
            "action": pick(option["value"]),
            "status": pick("complete"),
            "text": words("Panel has met weekly since June, see the minutes"),
        },
    )
    assert state(staffed_db, "4.1") == (ActionStatus.COMPLETE, Rag.GREEN)


# --- the message routes, on an action left complete and unrated ---------------------------


def complete_and_unrated(db: Database, ref: str) -> None:
    """What a form could leave before the rule: complete, not rated."""
    with db.writes.begin() as session:
        action = session.scalars(select(Action).where(Action.ref == ref)).first()
        assert action is not None
        action.status, action.rag = ActionStatus.COMPLETE, None
        action.evidence = action.evidence or "minutes of the last panel"


@pytest.mark.parametrize("how", ["slash", "reply", "mention", "dm", "form"])
def test_every_route_makes_a_complete_action_green(
    slack: Driver, staffed_db: Database, how: str
) -> None:
    thread = share(slack, "action 4.2")
    complete_and_unrated(staffed_db, "4.2")
    note = "minutes of the last panel attached"
    if how == "slash":
        slack.command(f"update 4.2 {note}", user="U0CP")
    elif how == "reply":  # in a channel thread a reply names its action (or is talk)
        reply(slack, f"4.2 {note}", thread)
    elif how == "mention":
        slack.event("app_mention.json", text=f"<@UBOT> 4.2 {note}")
    elif how == "dm":
        slack.event(
            "message_thread_reply.json",
            text=f"4.2 {note}",
            channel="D0CP",
            channel_type="im",
            thread_ts=None,
        )
    else:  # a complete action has no Update button; the shortcut offers it
        slack.shortcut(text=note)
        modal = slack.opened_view()
        picker = next(b for b in modal["blocks"] if b.get("block_id") == "action")
        option = next(o for o in picker["element"]["options"] if o["text"]["text"][:3] == "4.2")
        slack.submit(modal, {"action": pick(option["value"]), "text": words(note)})
    assert [u.text for u in updates_of(staffed_db, "4.2")] == [note]
    assert state(staffed_db, "4.2") == (ActionStatus.COMPLETE, Rag.GREEN)


@pytest.mark.parametrize("how", ["slash", "reply", "mention", "dm"])
def test_every_status_word_sets_its_rag(slack: Driver, staffed_db: Database, how: str) -> None:
    thread = share(slack, "action 4.3")
    if how == "slash":
        slack.command("update 4.3 off track: no funding", user="U0CP")
    elif how == "reply":
        reply(slack, "off track: no funding", thread)
    elif how == "mention":
        slack.event("app_mention.json", text="<@UBOT> 4.3 off track: no funding")
    else:
        slack.event(
            "message_thread_reply.json",
            text="4.3 off track: no funding",
            channel="D0CP",
            channel_type="im",
            thread_ts=None,
        )
    assert state(staffed_db, "4.3") == (ActionStatus.OFF_TRACK, Rag.RED)


def test_signing_off_an_unrated_complete_action_makes_it_green(
    slack: Driver, staffed_db: Database
) -> None:
    complete_and_unrated(staffed_db, "4.2")
    slack.command("signoff 4.2", user="U0SPM")
    assert state(staffed_db, "4.2") == (ActionStatus.SIGNED_OFF, Rag.GREEN)


# --- plan files ---------------------------------------------------------------------------


def plan_with(actions: list[dict[str, Any]], tmp_path: Path) -> Path:
    plan = {
        "council": "Testshire",
        "posts": [{"key": "lead", "title": "Lead"}],
        "plans": [
            {
                "key": "rag-2024",
                "title": "RAG",
                "kind": "inspection",
                "body": "Ofsted",
                "recommendations": [{"number": "1", "text": "Do it.", "actions": actions}],
            }
        ],
    }
    path = tmp_path / "rag.yaml"
    path.write_text(yaml.safe_dump(plan))
    return path


def test_a_plan_file_follows_the_rule(empty_db: Database, tmp_path: Path) -> None:
    path = plan_with(
        [
            {"ref": "1.1", "title": "A", "status": "complete", "rag": "amber"},
            {"ref": "1.2", "title": "B", "status": "at risk"},
            {"ref": "1.3", "title": "C", "status": "on track", "rag": "amber"},
            {"ref": "1.4", "title": "D"},
            {"ref": "1.5", "title": "E", "status": "signed off"},
        ],
        tmp_path,
    )
    report = import_plan_file(empty_db.writes, path)
    assert [n for n in report.notes if "1.1" in n] == [
        "rag-2024 1.1: status complete with RAG amber: stored as green (complete is green)"
    ]
    with empty_db.sessions() as session:
        got = {a.ref: (a.status, a.rag) for a in session.scalars(select(Action))}
    assert got == {
        "1.1": (ActionStatus.COMPLETE, Rag.GREEN),
        "1.2": (ActionStatus.AT_RISK, Rag.AMBER),
        "1.3": (ActionStatus.ON_TRACK, Rag.AMBER),  # a RAG the file gives is kept
        "1.4": (ActionStatus.NOT_STARTED, None),
        "1.5": (ActionStatus.SIGNED_OFF, Rag.GREEN),
    }


def test_plan_validate_warns_of_a_contradiction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    path = plan_with([{"ref": "1.1", "title": "A", "status": "complete", "rag": "red"}], tmp_path)
    assert main(["plan", "validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning: rag-2024 1.1: status complete with RAG red: stored as green" in out


# --- where an update came from ------------------------------------------------------------
