"""Updates by message: a reply in the thread of the bot's message about an action, a mention of
the bot, a DM; editing or deleting that message; each event once however often Slack sends it."""

from __future__ import annotations

import json
from pathlib import Path

from slackdriver import Answer, Driver
from test_updates import action_row, reply, share, updates_of

from db.database import Database
from db.models import UpdateSource
from db.plan_import import import_plan_file
from db.status import ActionStatus, Rag


def direct_message(slack: Driver, text: str) -> Answer:
    """The owner (U0CP) writes to the bot in its DM, as Slack sends it (channel_type "im")."""
    return slack.event(
        "message_thread_reply.json",
        text=text,
        channel="D0CP",
        channel_type="im",
        thread_ts=None,
        ts="1700000700.1",
    )


def test_owner_replies_in_the_thread(slack: Driver, staffed_db: Database) -> None:
    thread = share(slack, "action 4.3")
    answer = reply(slack, "amber: waiting for HR", thread)
    assert answer.status == 200
    assert [c.args["name"] for c in answer.later if c.method == "reactions.add"] == [
        "white_check_mark"
    ]
    confirmation = next(c for c in answer.later if c.method == "chat.postMessage")
    assert confirmation.args["thread_ts"] == thread
    shown = json.dumps(confirmation.args["blocks"])
    assert "Logged for *4.3*" in shown and "at risk" in shown and "waiting for HR" in shown
    assert "Edit" in shown and "Undo" in shown
    action = action_row(staffed_db, "4.3")
    assert (action.status, action.rag) == (ActionStatus.AT_RISK, Rag.AMBER)
    view = slack.command("action 4.3").text
    assert "waiting for HR" in view and "<@U0CP>" in view and "at risk" in view


def test_stranger_is_refused_politely(slack: Driver, staffed_db: Database) -> None:
    thread = share(slack, "action 4.2")
    before = action_row(staffed_db, "4.2")
    answer = reply(slack, "red: it's all gone wrong", thread, user="U0STRANGER")
    told = [c for c in answer.later if c.method == "chat.postEphemeral"]
    assert len(told) == 1 and told[0].args["user"] == "U0STRANGER"
    assert "Only the Director Corporate Parenting (<@U0CP>)" in told[0].args["text"]
    assert updates_of(staffed_db, "4.2") == []
    after = action_row(staffed_db, "4.2")
    assert (after.status, after.rag) == (before.status, before.rag)


def test_the_same_event_four_times_is_logged_once(slack: Driver, staffed_db: Database) -> None:
    thread = share(slack, "action 4.2")
    answers = [
        reply(slack, "amber: waiting for HR", thread, event_id="Ev0SAME", retry=n)
        for n in (None, 1, 2, 3)
    ]
    assert [a.status for a in answers] == [200] * 4
    assert len(updates_of(staffed_db, "4.2")) == 1
    confirmations = [c for a in answers for c in a.later if c.method == "chat.postMessage"]
    assert len(confirmations) == 1


def test_a_mention_in_a_thread_reply_is_one_update(slack: Driver, staffed_db: Database) -> None:
    thread = share(slack, "action 4.2")
    reply(slack, "<@UBOT> green: panel meets weekly", thread, ts="1700000100.000900")
    slack.event(
        "app_mention.json",
        text="<@UBOT> green: panel meets weekly",
        ts="1700000100.000900",
        thread_ts=thread,
        channel="C0BOARD",
    )
    assert len(updates_of(staffed_db, "4.2")) == 1


def test_concurrent_duplicates_are_one_update(slack: Driver, staffed_db: Database) -> None:
    from concurrent.futures import ThreadPoolExecutor

    thread = share(slack, "action 4.2")
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(lambda _: reply(slack, "amber: HR", thread, event_id="Ev0RACE"), range(6))
        )
    assert all(a.status == 200 for a in answers)
    assert len(updates_of(staffed_db, "4.2")) == 1


def test_thread_about_several_actions(slack: Driver, staffed_db: Database) -> None:
    thread = share(slack, "rec 4")
    direct = reply(slack, "4.3: green - new recording system live", thread, ts="1700000101.1")
    assert "Logged for *4.3*" in json.dumps(direct.later[-1].args)
    asked = reply(slack, "amber: waiting for HR", thread, ts="1700000102.1")
    question = next(c for c in asked.later if c.method == "chat.postEphemeral")
    assert "Which action" in question.args["text"]
    choices = [e for b in question.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [c["text"]["text"][:3] for c in choices] == ["4.1", "4.2", "4.3"]
    assert updates_of(staffed_db, "4.2") == []  # kept, not logged, until they choose
    chosen = slack.press(choices[1], user="U0CP", channel="C0BOARD")
    assert any("Logged for *4.2*" in json.dumps(c.args) for c in chosen.later)
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["waiting for HR"]
    wrong = reply(slack, "9.9: done", thread, ts="1700000103.1")
    assert "not one of this thread's actions" in wrong.later[-1].args["text"]


def test_mentions_and_direct_messages(slack: Driver, staffed_db: Database) -> None:
    slack.event("app_mention.json")  # "<@UBOT> 4.2 green: panel now meets weekly"
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["panel now meets weekly"]
    assert action_row(staffed_db, "4.2").rag == Rag.GREEN
    direct_message(slack, "4.1 red: blocked by finance")
    assert action_row(staffed_db, "4.1").status == ActionStatus.OFF_TRACK
    confused = slack.event("app_mention.json", text="<@UBOT> how are we doing?", ts="1700000800.1")
    assert "Which action?" in confused.later[-1].args["text"]


def test_bots_are_ignored(slack: Driver, staffed_db: Database) -> None:
    thread = share(slack, "action 4.2")
    answer = reply(slack, "amber: I am a bot", thread, bot_id="B0OTHER")
    assert answer.later == []
    assert updates_of(staffed_db, "4.2") == []


def test_edit_adds_a_version_and_delete_retracts(slack: Driver, staffed_db: Database) -> None:
    thread = share(slack, "action 4.2")
    reply(slack, "amber: waiting for HR", thread)
    slack.event("message_changed.json")  # -> "red: HR have paused recruitment"
    versions = updates_of(staffed_db, "4.2")
    assert [(u.version, u.text) for u in versions] == [
        (1, "waiting for HR"),
        (2, "HR have paused recruitment"),
    ]
    assert action_row(staffed_db, "4.2").rag == Rag.RED
    assert "HR have paused recruitment" in slack.command("action 4.2").text
    slack.event("message_deleted.json")
    versions = updates_of(staffed_db, "4.2")
    assert versions[-1].retracted and versions[-1].version == 3
    assert action_row(staffed_db, "4.2").rag == Rag.AMBER  # back to what it was before
    assert "No update logged yet" in slack.command("action 4.2").text
    history = slack.command("history 4.2").text
    assert "retracted" in history and "version 2" in history


def test_a_refused_reaction_does_not_lose_or_repeat_the_update(
    slack: Driver, staffed_db: Database
) -> None:
    thread = share(slack, "action 4.3")
    slack.fake.fail_next("reactions.add", error="missing_scope")
    answer = reply(slack, "amber: waiting for HR", thread, event_id="Ev0NOREACT")
    assert answer.status == 200
    again = reply(slack, "amber: waiting for HR", thread, event_id="Ev0NOREACT", retry=1)
    assert again.status == 200
    assert [u.text for u in updates_of(staffed_db, "4.3")] == ["waiting for HR"]


def test_replies_to_the_forms_confirmation_are_updates(slack: Driver, staffed_db: Database) -> None:
    slack.press(slack.command("action 4.1", user="U0CP").button("Update"), user="U0CP")
    saved = slack.submit(
        slack.opened_view(), {"text": {"type": "plain_text_input", "value": "panel booked"}}
    )
    dm = next(c for c in saved.later if c.method == "chat.postMessage")
    slack.event(
        "message_thread_reply.json",
        text="green: first panel held",
        user="U0CP",
        channel=dm.response["channel"],
        channel_type="im",
        thread_ts=dm.response["ts"],
        ts="1700009999.000100",
    )
    assert [u.text for u in updates_of(staffed_db, "4.1")] == ["panel booked", "first panel held"]


def test_a_stranger_in_a_thread_about_several_actions_is_refused_at_once(
    slack: Driver, staffed_db: Database
) -> None:
    thread = share(slack, "rec 4")
    answer = reply(slack, "red: not mine", thread, user="U0STRANGER")
    told = [c.args["text"] for c in answer.later if c.method == "chat.postEphemeral"]
    assert len(told) == 1 and told[0].startswith("Only the Director Corporate Parenting")
    assert all(updates_of(staffed_db, ref) == [] for ref in ("4.1", "4.2", "4.3"))


def test_a_direct_message_is_recorded_as_one(slack: Driver, staffed_db: Database) -> None:
    direct_message(slack, "4.1 red: blocked by finance")
    [update] = updates_of(staffed_db, "4.1")
    assert update.source == UpdateSource.DIRECT_MESSAGE
    slack.event("app_mention.json")
    [mention] = updates_of(staffed_db, "4.2")
    assert mention.source == UpdateSource.MENTION
    assert "direct message" in slack.command("history 4.1").text


def test_direct_messages_recorded_as_mentions_before_become_direct_messages(
    database_url: str,
) -> None:
    from sqlalchemy import text

    from db.session import downgrade

    db = Database.connect(database_url)
    try:
        # the plan is imported by today's models (whose tables have every later column), then
        # the schema goes back to 0004
        db.upgrade()
        import_plan_file(db.writes, Path(__file__).parent / "fixtures" / "plans" / "small.yaml")
        downgrade(db.engine, "0004")
        sources = "SELECT slack_channel, source FROM action_update ORDER BY slack_channel"
        with db.engine.begin() as connection:
            action_id = connection.execute(text("SELECT min(id) FROM action")).scalar()
            for channel in ("C0BOARD", "D0CP"):
                connection.execute(
                    text(
                        "INSERT INTO action_update (action_id, version, text, retracted, source,"
                        " slack_channel, slack_ts, created_at) VALUES (:a, 1, 'x', false,"
                        " 'mention', :c, '1.1', :t)"
                    ),
                    {"a": action_id, "c": channel, "t": "2022-09-05 08:00:00+00:00"},
                )
        db.upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text(sources)).all() == [
                ("C0BOARD", "mention"),
                ("D0CP", "direct message"),
            ]
        downgrade(db.engine, "0004")
        with db.engine.connect() as connection:
            assert [s for _, s in connection.execute(text(sources))] == ["mention", "mention"]
    finally:
        db.dispose()
