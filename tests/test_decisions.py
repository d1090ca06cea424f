"""The board's decisions in Slack: sign-off on evidence and never by the action's own owner,
buttons only for whom they work, and a pressed button's message updated in place."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from slackdriver import Driver
from sqlalchemy import select
from test_updates import action_row, updates_of

from bot.devtools.fakeslack import FakeSlack
from db.database import Database
from db.models import Action, AuditEntry, Cover, Post
from db.posts import get_or_create_person
from db.status import ActionStatus
from jobs.tick import TickReport

EVIDENCE = "done: both managers started on 1 September, see the HR report"


def dated(message: Any) -> str:
    """A message as JSON with each `<!date^…|fallback>` read as its fallback (the UK date),
    having checked that dates are Slack's date tokens."""
    dumped = json.dumps(message, ensure_ascii=False)
    assert "<!date^" in dumped
    return re.sub(r"<!date\^\d+\^[^|>]*\|([^>]*)>", r"\1", dumped)


def digest_thread(fake: FakeSlack, channel: str) -> dict[str, Any]:
    """The digest's details message (in its thread), as Slack now holds it."""
    [main] = [m for m in fake.messages(channel) if "digest for" in m["text"]]
    [details] = [m for m in fake.messages(channel, main["ts"])[1:] if not m.get("files")]
    return details


def buttons_in(message: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every button of a message (accessories and actions blocks), by label."""
    found: dict[str, list[dict[str, Any]]] = {}
    for block in message.get("blocks", []):
        elements = block.get("elements", []) if block["type"] == "actions" else []
        for element in [block.get("accessory"), *elements]:
            if element and element.get("type") == "button":
                found.setdefault(element["text"]["text"], []).append(element)
    return found


def cover(db: Database, post_key: str, user: str) -> None:
    with db.writes.begin() as session:
        post = session.scalars(select(Post).where(Post.key == post_key)).one()
        person = get_or_create_person(session, user)
        session.add(
            Cover(post=post, person=person, starts_on=date(2022, 9, 1), ends_on=date(2023, 3, 31))
        )


def test_sign_off_needs_evidence_and_never_the_actions_own_owner(
    slack: Driver, staffed_db: Database
) -> None:
    # 5.4 is complete in the plan file with no evidence, and owned by the secretary's own post
    no_evidence = slack.command("signoff 5.4", user="U0SPM")
    assert "no evidence logged" in no_evidence.text
    slack.command(
        "update 5.4 done: QA reviews set the priorities, see https://x.test/qa", user="U0SPM"
    )
    own = slack.command("signoff 5.4", user="U0SPM")
    assert "separation of duties" in own.text
    assert action_row(staffed_db, "5.4").status == ActionStatus.COMPLETE
    # an admin who covers the post may override, only with a reason, which is recorded
    cover(staffed_db, "senior-programmes-manager", "U0ADMIN")
    assert "with the reason recorded" in slack.command("signoff 5.4", user="U0ADMIN").text
    assert action_row(staffed_db, "5.4").status == ActionStatus.COMPLETE
    signed = slack.command("signoff 5.4 the board agreed it on 12 Oct", user="U0ADMIN")
    assert "Signed off by <@U0ADMIN>" in signed.text
    assert action_row(staffed_db, "5.4").status == ActionStatus.SIGNED_OFF
    with staffed_db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.kind == "signoff")).one()
    assert entry.detail == {
        "override": "separation of duties",
        "reason": "the board agreed it on 12 Oct",
    }
    history = slack.command("history 5.4").text
    assert "Admin override: the board agreed it on 12 Oct" in history


def test_the_sign_off_button_is_only_for_whom_it_works(slack: Driver, staffed_db: Database) -> None:
    slack.command(f"update 4.2 {EVIDENCE}", user="U0CP")

    def labels(user: str) -> list[str]:
        return [b["text"]["text"] for b in slack.command("action 4.2", user=user).buttons()]

    assert "Sign off" not in labels("U0PRACT")  # not the board's
    assert "Sign off" not in labels("U0CP")  # its owner
    assert "Update" not in labels("U0PRACT")
    assert "Sign off" in labels("U0ADMIN")
    # pressed, the ephemeral answer (Slack sends no message for one) is replaced, not left live
    pressed = slack.press(
        slack.command("action 4.2", user="U0ADMIN").button("Sign off"), user="U0ADMIN"
    )
    [said] = [c for c in pressed.later if c.method == "response_url"]
    assert said.args["replace_original"] is True
    assert "Signed off by <@U0ADMIN>" in json.dumps(said.args)
    assert "Sign off" not in json.dumps(said.args["blocks"])
    assert action_row(staffed_db, "4.2").status == ActionStatus.SIGNED_OFF


def test_sign_off_from_the_digest_updates_the_message_in_place(
    slack: Driver, tick_at: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database
) -> None:
    slack.command(f"update 4.2 {EVIDENCE}", user="U0CP")
    tick_at("2022-10-10T09:00")
    channel = digest_thread(fake_slack, "#achieving-excellence")
    assert "Sign off" not in buttons_in(channel)  # a channel's message is everyone's: no buttons
    details = digest_thread(fake_slack, "U0SPM")
    [button] = buttons_in(details)["Sign off"]  # 4.2 only: 5.4 is the secretary's own, no evidence
    assert "No evidence logged" in json.dumps(details)
    pressed = slack.press_on(details, "U0SPM", button, user="U0SPM")
    assert [c.args["replace_original"] for c in pressed.later if c.method == "response_url"] == [
        True
    ]
    assert action_row(staffed_db, "4.2").status == ActionStatus.SIGNED_OFF
    now = digest_thread(fake_slack, "U0SPM")
    assert now["ts"] == details["ts"] and "edited" in now
    assert "Sign off" not in buttons_in(now)
    assert "*4.2* signed off by <@U0SPM>" in json.dumps(now)
    assert len(updates_of(staffed_db, "4.2")) == 2


def test_escalations_in_the_digest_say_which_action(
    slack: Driver, tick_at: Callable[[str], TickReport], fake_slack: FakeSlack
) -> None:
    slack.press(slack.command("rec 4", user="U0CP").button("Update"), user="U0CP")
    slack.submit(
        slack.opened_view(),
        {
            "status": {"type": "static_select", "selected_option": {"value": "off track"}},
            "text": {"type": "plain_text_input", "value": "Panel capacity is short"},
            "escalate": {"type": "checkboxes", "selected_options": [{"value": "yes"}]},
            "escalation": {"type": "plain_text_input", "value": "needs funding for a third panel"},
        },
    )
    tick_at("2022-10-10T09:00")
    text = json.dumps(digest_thread(fake_slack, "U0SPM"), ensure_ascii=False)
    escalations = text[text.index("*Escalations*") :]
    line = escalations[: escalations.index("needs funding")]
    assert "*4.1*" in line and "Red" in line and "<@U0CP>" in line
    assert "Reduce delays in finding suitable placements" in line  # the action's title


def ask_for_a_new_date(slack: Driver, user: str = "U0CP") -> None:
    slack.press(slack.command("rec 4", user=user).button("Update"), user=user)
    saved = slack.submit(
        slack.opened_view(),
        {
            "text": {"type": "plain_text_input", "value": "Panel capacity is short"},
            "due": {"type": "datepicker", "selected_date": "2023-03-31"},
            "due_reason": {"type": "plain_text_input", "value": "two panel members left"},
        },
        user=user,
    )
    assert saved.status == 200 and not saved.body


def overdue_4_1(db: Database) -> None:
    with db.writes.begin() as session:
        action = session.scalars(select(Action).where(Action.ref == "4.1")).one()
        action.due = date(2022, 9, 1)


def test_a_new_due_date_waits_for_the_board_and_its_owner_is_told(
    slack: Driver,
    tick_at: Callable[[str], TickReport],
    fake_slack: FakeSlack,
    staffed_db: Database,
) -> None:
    overdue_4_1(staffed_db)
    ask_for_a_new_date(slack)
    assert action_row(staffed_db, "4.1").due == date(2022, 9, 1)  # asked for, not applied
    assert "*4.1*" in slack.command("overdue", user="U0CP").text
    assert "waiting for the board's decision" in slack.command("history 4.1").text
    tick_at("2022-10-10T09:00")
    channel = digest_thread(fake_slack, "#achieving-excellence")
    assert "Decisions for the board" in json.dumps(channel)
    assert "Approve" not in buttons_in(channel)
    details = digest_thread(fake_slack, "U0SPM")
    shown = dated(details)
    assert "due 1 Sep 2022 → *31 Mar 2023*" in shown and "two panel members left" in shown
    [approve] = buttons_in(details)["Approve"]
    slack.press_on(details, "U0SPM", approve, user="U0SPM")
    form = slack.opened_view()
    assert form["callback_id"] == "ofsted_decision_modal"
    decided = slack.submit(
        form, {"reason": {"type": "plain_text_input", "value": "agreed"}}, user="U0SPM"
    )
    assert decided.status == 200 and not decided.body
    assert action_row(staffed_db, "4.1").due == date(2023, 3, 31)
    assert "*4.1*" not in slack.command("overdue", user="U0CP").text
    now = digest_thread(fake_slack, "U0SPM")
    assert "edited" in now and "Approve" not in buttons_in(now)
    assert "Approved by <@U0SPM>: agreed" in json.dumps(now)
    history = slack.command("history 4.1").text
    assert "Approved by <@U0SPM>: agreed" in history and "<@U0CP>" in history
    tick_at("2022-10-10T09:01")
    [told] = [m for m in fake_slack.messages("U0CP") if "approved" in m["text"].lower()]
    assert "now due *31 Mar 2023*" in dated(told)


def test_a_rejection_needs_a_reason_and_only_the_board_decides(
    slack: Driver,
    tick_at: Callable[[str], TickReport],
    fake_slack: FakeSlack,
    staffed_db: Database,
) -> None:
    ask_for_a_new_date(slack)
    tick_at("2022-10-10T09:00")
    details = digest_thread(fake_slack, "U0SPM")
    [reject] = buttons_in(details)["Reject"]
    slack.press_on(details, "U0SPM", reject, user="U0PRACT")  # a forwarded DM, say
    stranger = slack.submit(
        slack.opened_view(), {"reason": {"type": "plain_text_input", "value": "no"}}, user="U0PRACT"
    )
    assert stranger.body is not None and "the board's decision" in stranger.body["errors"]["reason"]
    slack.press_on(details, "U0SPM", reject, user="U0SPM")
    form = slack.opened_view()
    empty = slack.submit(form, {"reason": {"type": "plain_text_input", "value": ""}}, user="U0SPM")
    assert empty.body is not None and "Say why" in empty.body["errors"]["reason"]
    slack.submit(
        form,
        {"reason": {"type": "plain_text_input", "value": "fund a panel instead"}},
        user="U0SPM",
    )
    assert action_row(staffed_db, "4.1").due == date(2023, 9, 30)
    assert "Rejected by <@U0SPM>: fund a panel instead" in slack.command("history 4.1").text
    tick_at("2022-10-10T09:01")
    [told] = [m for m in fake_slack.messages("U0CP") if "rejected" in m["text"].lower()]
    assert "it stays due 30 Sep 2023" in dated(told)
    with staffed_db.sessions() as session:
        kinds = [e.kind for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert kinds[-1] == "due date rejected"
