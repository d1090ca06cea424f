"""Updates as Slack really sends them: a deleted message that has replies (a tombstone), a reply
with a file (file_share), Slack's escaping of what was typed, and talk in a channel thread that
is not said to the bot."""

from __future__ import annotations

import io
import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from slackdriver import Answer, Driver
from sqlalchemy import select
from test_digest_content import aeb_digest
from test_updates import action_row, reply, share, updates_of

from bot.devtools.slack_requests import slack_wire
from commands.views.digest import digest_details
from db.database import Database
from db.messages import remember_bot_message
from db.models import Action
from db.status import ActionStatus, Rag
from jobs.board_paper import board_paper_xlsx

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)

LONDON_TZ = ZoneInfo("Europe/London")
MENTION = {"channel": "C0BOARD", "ts": "1700000200.000300"}


def said(answer: Answer, method: str) -> list[dict[str, object]]:
    return [c.args for c in answer.later if c.method == method]


# --- item 3: deleting a message that has replies ----------------------------------------------


def test_deleting_a_message_the_bot_answered_withdraws_its_update(
    slack: Driver, staffed_db: Database
) -> None:
    before = action_row(staffed_db, "4.2")
    sent = MENTION | {"text": "<@UBOT> 4.2 amber: waiting for HR"}
    logged = slack.event("app_mention.json", **sent)
    [answer] = said(logged, "chat.postMessage")
    assert answer["thread_ts"] == sent["ts"]  # the bot answered in its thread: it has a reply
    assert action_row(staffed_db, "4.2").rag == Rag.AMBER
    gone = slack.delete(sent)
    [told] = said(gone, "chat.postEphemeral")
    assert told["user"] == "U0CP" and "Withdrawn" in str(told["text"])
    versions = updates_of(staffed_db, "4.2")
    assert [(u.version, u.retracted) for u in versions] == [(1, False), (2, True)]
    after = action_row(staffed_db, "4.2")
    assert (after.status, after.rag) == (before.status, before.rag)
    assert "No update logged yet" in slack.command("action 4.2").text


def test_the_driver_reports_a_deletion_as_slack_does(slack: Driver) -> None:
    sent = MENTION | {"text": "<@UBOT> 4.2 amber: waiting for HR"}
    slack.event("app_mention.json", **sent)
    with_replies = slack.replies_to(sent["channel"], sent["ts"])
    assert with_replies == 1
    thread = share(slack, "action 4.3")
    in_thread = {"channel": "C0BOARD", "ts": "1700000100.000200", "thread_ts": thread}
    assert slack.replies_to(in_thread["channel"], in_thread["ts"]) == 0


def test_a_tombstone_as_slack_sends_it_withdraws_the_update(
    slack: Driver, staffed_db: Database
) -> None:
    slack.event("app_mention.json", **MENTION, text="<@UBOT> 4.2 amber: waiting for HR")
    gone = slack.event("message_tombstone.json")
    assert gone.status == 200
    assert [u.retracted for u in updates_of(staffed_db, "4.2")] == [False, True]
    again = slack.event("message_tombstone.json", retry=1)  # Slack retrying: nothing more
    assert again.status == 200 and len(updates_of(staffed_db, "4.2")) == 2
    # when its last reply goes too, Slack deletes the tombstone: not a person's message
    slack.event(
        "message_deleted.json",
        deleted_ts=MENTION["ts"],
        previous_message={"subtype": "tombstone", "user": "USLACKBOT", "ts": MENTION["ts"]},
    )
    assert len(updates_of(staffed_db, "4.2")) == 2


# --- item 4: a reply with a file ---------------------------------------------------------------


def test_a_reply_with_a_file_is_an_update_with_the_file_as_evidence(
    slack: Driver, staffed_db: Database
) -> None:
    thread = share(slack, "action 4.3")
    answer = slack.event("message_file_share.json", thread_ts=thread)
    assert said(answer, "reactions.add") != []
    [update] = updates_of(staffed_db, "4.3")
    assert (update.text, update.status_to) == ("minutes attached", ActionStatus.AT_RISK)
    assert update.evidence == "https://council.slack.com/files/U0CP/F0MINUTES1/panel-minutes.pdf"


def test_a_file_is_the_evidence_that_completes_an_action(
    slack: Driver, staffed_db: Database
) -> None:
    thread = share(slack, "action 4.3")
    refused = reply(slack, "done: minutes attached", thread, ts="1700000100.000300")
    assert "say what shows it is done" in json.dumps(said(refused, "chat.postEphemeral"))
    slack.event("message_file_share.json", thread_ts=thread, text="done: minutes attached")
    action = action_row(staffed_db, "4.3")
    assert action.status == ActionStatus.COMPLETE
    assert action.evidence == "https://council.slack.com/files/U0CP/F0MINUTES1/panel-minutes.pdf"


# --- item 5: Slack's escaping ------------------------------------------------------------------

TYPED = "A&E <triage> panel met, "
LINK = "<https://council.example/minutes?id=4&amp;v=2|the minutes>"
WIRE = (
    slack_wire(f"amber: {TYPED}")
    + f"{LINK} with <@U0DIANA|diana> cc <!channel> https://x.example/a?b=1&amp;c=2"
)
STORED = (
    "A&E <triage> panel met, the minutes (https://council.example/minutes?id=4&v=2) "
    "with <@U0DIANA> cc @channel https://x.example/a?b=1&c=2"
)


def test_what_was_typed_is_stored_shown_once_escaped_and_written_plainly_in_files(
    slack: Driver, staffed_db: Database
) -> None:
    assert "A&amp;E &lt;triage&gt;" in WIRE  # as Slack sends it
    thread = share(slack, "action 4.3")
    reply(slack, WIRE, thread)
    [update] = updates_of(staffed_db, "4.3")
    assert update.text == STORED
    shown = slack.command("history 4.3").text + slack.command("action 4.3").text
    assert "A&amp;E &lt;triage&gt;" in shown and "&amp;amp;" not in shown
    assert "<https://council.example/minutes?id=4&amp;v=2>" in shown  # a link, clickable
    assert "<https://x.example/a?b=1&amp;c=2>" in shown
    assert "<!channel>" not in shown and "<@U0DIANA" not in shown  # pings nobody
    digest = aeb_digest(staffed_db)
    _, blocks = digest_details(digest, LONDON_TZ, date(2022, 10, 10))
    details = json.dumps(blocks)
    assert "A&amp;E &lt;triage&gt;" in details and "&amp;amp;" not in details
    paper = load_workbook(io.BytesIO(board_paper_xlsx(digest)))
    cells = [
        str(c) for ws in paper.worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    assert any(STORED in c for c in cells)
    assert not any("&amp;" in c or "|the minutes>" in c for c in cells)


def test_an_edit_and_a_slash_update_are_stored_as_typed(
    slack: Driver, staffed_db: Database
) -> None:
    thread = share(slack, "action 4.2")
    sent = {"channel": "C0BOARD", "ts": "1700000100.000200", "thread_ts": thread}
    reply(slack, "amber: waiting for HR", thread)
    slack.edit(sent | {"text": "amber: waiting for HR"}, slack_wire("amber: HR & payroll"))
    assert updates_of(staffed_db, "4.2")[-1].text == "HR & payroll"
    slack.command(
        slack_wire("update 4.1 green: Q&A <done> see https://x.example/?a=1&b=2"), user="U0CP"
    )
    assert updates_of(staffed_db, "4.1")[-1].text == "Q&A <done> see https://x.example/?a=1&b=2"


# --- item 10: thread chatter -------------------------------------------------------------------


def test_talk_in_a_channel_thread_is_left_alone(slack: Driver, staffed_db: Database) -> None:
    single, several = share(slack, "action 4.2"), share(slack, "rec 4")
    chatter = "thanks, useful — does anyone know if the policy changed?"
    for thread, user in ((single, "U0PRACT"), (single, "U0CP"), (several, "U0CP")):
        answer = reply(slack, chatter, thread, user=user, ts=f"1700000300.{len(user):06d}")
        assert answer.status == 200
        assert [c.method for c in answer.later if c.method != "auth.test"] == []
    assert updates_of(staffed_db, "4.2") == []


def test_in_a_channel_thread_a_status_word_a_reference_or_a_mention_is_an_update(
    slack: Driver, staffed_db: Database
) -> None:
    single, several = share(slack, "action 4.2"), share(slack, "rec 4")
    reply(slack, "amber: waiting for HR", single, ts="1700000300.000001")
    reply(slack, "4.1 panel dates agreed", several, ts="1700000300.000002")
    reply(slack, "<@UBOT> the panel met", single, ts="1700000300.000003")
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["waiting for HR", "the panel met"]
    assert [u.text for u in updates_of(staffed_db, "4.1")] == ["panel dates agreed"]
    stranger = reply(slack, "red: it's all gone wrong", single, user="U0PRACT", ts="1700000300.4")
    assert "Only the Director" in json.dumps(said(stranger, "chat.postEphemeral"))


def test_in_a_dm_or_under_a_nudge_every_reply_of_the_owner_is_an_update(
    slack: Driver, staffed_db: Database
) -> None:
    threads = [("D0CP", "im", "1700000050.000100"), ("C0BOARD", "channel", "1700000060.000100")]
    with staffed_db.writes.begin() as session:
        action = session.scalar(select(Action.id).where(Action.ref == "4.1").limit(1))
        assert action is not None
        for (channel, _, ts), purpose in zip(threads, ("confirmation", "nudge"), strict=True):
            remember_bot_message(session, channel, ts, purpose, [action])
    for n, (channel, kind, thread) in enumerate(threads):
        talk = slack.event(
            "message_thread_reply.json",
            text=f"the first panel was held, thanks ({n})",
            channel=channel,
            channel_type=kind,
            thread_ts=thread,
            ts=f"1700009999.00010{n}",
        )
        assert said(talk, "reactions.add") != []
    assert [u.text for u in updates_of(staffed_db, "4.1")] == [
        "the first panel was held, thanks (0)",
        "the first panel was held, thanks (1)",
    ]
