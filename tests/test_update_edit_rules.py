"""An edit is refused wherever a new update would be, with the same answer, whether it comes as
an edited Slack message or from the *Edit* form; an edit of the status word alone is applied."""

from __future__ import annotations

import json

from slackdriver import Answer, Driver
from test_updates import action_row, reply, share, updates_of

from db.database import Database
from db.posts import set_post_holder
from db.status import ActionStatus, Rag

DONE = "done: both managers started on 1 September, see HR report"


def told(answer: Answer) -> str:
    return json.dumps([c.args for c in answer.later if c.method == "chat.postEphemeral"])


def replied(slack: Driver, text: str) -> dict[str, str]:
    """An owner's reply in the thread of a shared 4.2, logged; the message as Slack holds it."""
    thread = share(slack, "action 4.2")
    reply(slack, text, thread)
    return {"channel": "C0BOARD", "ts": "1700000100.000200", "thread_ts": thread, "text": text}


def form_edit(slack: Driver, logged: Answer, text: str, user: str = "U0CP") -> Answer:
    slack.press(logged.button("Edit"), user=user)
    return slack.submit(
        slack.opened_view(), {"text": {"type": "plain_text_input", "value": text}}, user=user
    )


def form_error(answer: Answer) -> str:
    assert answer.body is not None and answer.body.get("response_action") == "errors"
    return str(answer.body["errors"]["text"])


def test_an_edit_cannot_reopen_a_signed_off_action(slack: Driver, staffed_db: Database) -> None:
    sent = replied(slack, DONE)
    logged = slack.command("update 4.1 " + DONE, user="U0CP")
    for ref in ("4.2", "4.1"):
        slack.command(f"signoff {ref}", user="U0SPM")
        assert action_row(staffed_db, ref).status == ActionStatus.SIGNED_OFF
    new = slack.command("update 4.2 red: HR have paused recruitment", user="U0CP").text
    assert "signed off by the board" in new
    edit = slack.edit(sent, "red: HR have paused recruitment")
    assert "signed off by the board" in told(edit)
    assert "signed off by the board" in form_error(form_edit(slack, logged, "it was not done"))
    for ref in ("4.2", "4.1"):
        assert action_row(staffed_db, ref).status == ActionStatus.SIGNED_OFF
        assert [u.version for u in updates_of(staffed_db, ref)] == [1, 1]  # + the sign-off


def test_an_edit_cannot_complete_an_action_without_evidence(
    slack: Driver, staffed_db: Database
) -> None:
    sent = replied(slack, "amber: waiting for HR")
    logged = slack.command("update 4.1 amber: panel dates pending", user="U0CP")
    edit = slack.edit(sent, "done")
    assert "say what shows it is done" in told(edit)
    assert action_row(staffed_db, "4.2").status == ActionStatus.AT_RISK
    slack.press(logged.button("Edit"), user="U0CP")
    refused = slack.submit(
        slack.opened_view(),
        {
            "text": {"type": "plain_text_input", "value": "ok"},
            "status": {"type": "static_select", "selected_option": {"value": "complete"}},
        },
    )
    assert "say what shows it is done" in form_error(refused)
    assert action_row(staffed_db, "4.1").status == ActionStatus.AT_RISK
    assert len(updates_of(staffed_db, "4.2")) == len(updates_of(staffed_db, "4.1")) == 1


def test_a_former_holder_cannot_edit_once_the_post_has_passed_on(
    slack: Driver, staffed_db: Database
) -> None:
    sent = replied(slack, "amber: waiting for HR")
    logged = slack.command("update 4.1 amber: panel dates pending", user="U0CP")
    with staffed_db.writes.begin() as session:
        set_post_holder(session, "dir-corporate-parenting", "U0NEW")
    answer = "Only the Director Corporate Parenting (<@U0NEW>)"
    assert answer in slack.command("update 4.2 red: HR have paused", user="U0CP").text
    assert answer in told(slack.edit(sent, "red: HR have paused recruitment"))
    assert answer in form_error(form_edit(slack, logged, "red: all gone wrong"))
    assert action_row(staffed_db, "4.2").rag == Rag.AMBER
    assert len(updates_of(staffed_db, "4.2")) == len(updates_of(staffed_db, "4.1")) == 1


def test_an_edit_of_the_status_word_alone_is_applied(slack: Driver, staffed_db: Database) -> None:
    sent = replied(slack, "amber: waiting for HR")
    edit = slack.edit(sent, "red: waiting for HR")
    assert "Edited" in told(edit)
    versions = updates_of(staffed_db, "4.2")
    assert [(u.version, u.text, u.rag_to) for u in versions] == [
        (1, "waiting for HR", Rag.AMBER),
        (2, "waiting for HR", Rag.RED),
    ]
    assert action_row(staffed_db, "4.2").status == ActionStatus.OFF_TRACK
    same = slack.edit(sent | {"text": "red: waiting for HR"}, "red: waiting for HR")  # unfurl
    assert same.later == [] or told(same) == "[]"
    assert len(updates_of(staffed_db, "4.2")) == 2
