"""Sharing an answer in a channel: the bot joins a public channel first (else Slack sends no
events of the replies in its thread, and they are lost); in a private channel it was not
invited to, the answer goes through response_url and the user is told to invite it."""

from __future__ import annotations

from slackdriver import Driver
from sqlalchemy import select

from bot.devtools.fakeslack import FakeSlack
from db.database import Database
from db.models import Action
from db.status import ActionStatus


def shared_ts(slack: Driver, channel: str) -> str | None:
    answer = slack.command("action 4.3", channel=channel)
    shared = slack.press(answer.button("Share in channel"), channel=channel)
    posts = [c for c in shared.later if c.method == "chat.postMessage" and c.response.get("ok")]
    return str(posts[0].response["ts"]) if posts else None


def test_replies_under_an_answer_shared_in_a_public_channel_reach_the_bot(
    slack: Driver, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.add_channel("practice-forum", channel_id="C0FORUM", member=False)
    thread = shared_ts(slack, "C0FORUM")
    assert thread is not None
    assert fake_slack.delivers_events("C0FORUM")  # the bot joined before posting
    answer = slack.event(
        "message_thread_reply.json",
        text="amber: waiting for HR",
        thread_ts=thread,
        user="U0CP",
        ts=f"{float(thread) + 1:.6f}",
        channel="C0FORUM",
    )
    assert answer.status == 200
    with staffed_db.sessions() as session:
        action = session.scalar(select(Action).where(Action.ref == "4.3").limit(1))
        assert action is not None and action.status == ActionStatus.AT_RISK


def test_sharing_in_a_private_channel_without_the_bot_says_to_invite_it(
    slack: Driver, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("leadership", channel_id="G0LEAD", private=True, member=False)
    answer = slack.command("action 4.3", channel="G0LEAD")
    shared = slack.press(answer.button("Share in channel"), channel="G0LEAD")
    said = [c.args for c in shared.later if c.method == "response_url"]
    assert [a.get("response_type") for a in said] == ["in_channel", "ephemeral"]
    assert "/invite @ofsted" in str(said[-1]["text"])
