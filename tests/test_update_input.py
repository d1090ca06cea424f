"""Text that cannot be stored (NUL bytes, lone surrogates) and messages that arrive twice at once
get a clean answer on every way in: the update is stored without the bad characters, or the
user is told why not. Nothing answers 500."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slackdriver import Answer, Driver
from sqlalchemy import text
from test_updates import reply, share, updates_of

from db.database import Database

BAD = "\x00\ud800"  # a NUL byte and a lone surrogate: PostgreSQL (and SQLite's driver) refuse both


def test_a_slash_update_with_a_nul_byte(slack: Driver, staffed_db: Database) -> None:
    answer = slack.command("update 4.2 amber: waiting\x00 for HR", user="U0CP")
    assert answer.status == 200 and "Logged for *4.2*" in answer.text
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["waiting for HR"]


def test_a_slash_update_of_nothing_but_bad_characters_is_refused(
    slack: Driver, staffed_db: Database
) -> None:
    answer = slack.command("update 4.2 \x00\x00", user="U0CP")
    assert answer.status == 200 and "That update was empty" in answer.text
    assert updates_of(staffed_db, "4.2") == []


def test_a_form_with_bad_characters_in_every_field(slack: Driver, staffed_db: Database) -> None:
    slack.press(slack.command("action 4.1", user="U0CP").button("Update"), user="U0CP")
    saved = slack.submit(
        slack.opened_view(),
        {
            "text": {"type": "plain_text_input", "value": f"Panel{BAD} short"},
            "evidence": {"type": "url_text_input", "value": f"https://x.test/a{BAD}"},
            "due": {"type": "datepicker", "selected_date": "2023-12-31"},
            "due_reason": {"type": "plain_text_input", "value": f"two{BAD} left"},
            "escalate": {"type": "checkboxes", "selected_options": [{"value": "yes"}]},
            "escalation": {"type": "plain_text_input", "value": f"needs{BAD} funding"},
        },
    )
    assert (saved.status, saved.body) == (200, None)
    [update] = updates_of(staffed_db, "4.1")
    assert (update.text, update.evidence) == ("Panel short", "https://x.test/a")
    assert (update.due_reason, update.escalation) == ("two left", "needs funding")


@pytest.mark.parametrize("how", ["reply", "mention", "dm"])
def test_messages_with_bad_characters(slack: Driver, staffed_db: Database, how: str) -> None:
    if how == "reply":
        answer = reply(slack, f"amber: waiting{BAD} for HR", share(slack, "action 4.2"))
    elif how == "mention":
        answer = slack.event("app_mention.json", text=f"<@UBOT> 4.2 amber: waiting{BAD} for HR")
    else:
        answer = slack.event(
            "message_thread_reply.json",
            text=f"4.2 amber: waiting{BAD} for HR",
            channel="D0CP",
            channel_type="im",
            thread_ts=None,
        )
    assert answer.status == 200
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["waiting for HR"]
    assert any("Logged for *4.2*" in str(c.args) for c in answer.later)


def test_a_kept_reply_and_an_edit_with_bad_characters(slack: Driver, staffed_db: Database) -> None:
    thread = share(slack, "rec 4")
    asked = reply(slack, f"amber: waiting{BAD} for HR", thread, ts="1700000102.1")
    assert asked.status == 200
    question = next(c for c in asked.later if c.method == "chat.postEphemeral")
    choices = [e for b in question.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    slack.press(choices[1], user="U0CP", channel="C0BOARD")
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["waiting for HR"]
    edited = slack.event(
        "message_changed.json",
        message={
            "type": "message",
            "user": "U0CP",
            "text": f"red: HR{BAD} paused",
            "ts": "1700000102.1",
            "thread_ts": thread,
        },
    )
    assert edited.status == 200
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["waiting for HR", "HR paused"]


def test_the_shortcut_on_a_message_already_logged(slack: Driver, staffed_db: Database) -> None:
    thread = share(slack, "action 4.3")
    reply(slack, "amber: waiting for HR", thread, ts="1700000100.000200")
    opened = slack.shortcut(text="amber: waiting for HR", ts="1700000100.000200", channel="C0BOARD")
    assert opened.status == 200
    assert "already logged as an update to *4.3*" in str(opened.later[-1].args["view"])
    # a form opened before the message was logged elsewhere: its submit is refused cleanly
    slack.shortcut(text="Mockingbird hub launched", ts="1700000900.000100", channel="C0BOARD")
    modal = slack.opened_view()
    picker = next(b for b in modal["blocks"] if b.get("block_id") == "action")
    option = next(o for o in picker["element"]["options"] if o["text"]["text"].startswith("4.2"))
    reply(slack, "4.3: green - hub launched", thread, ts="1700000900.000100")
    submitted = slack.submit(
        modal,
        {
            "action": {"type": "static_select", "selected_option": {"value": option["value"]}},
            "text": {"type": "plain_text_input", "value": "Mockingbird hub launched"},
        },
    )
    assert submitted.status == 200 and submitted.body is not None
    assert "already logged as an update to 4.3" in submitted.body["errors"]["text"]
    assert updates_of(staffed_db, "4.2") == []


def _waiting_behind(db: Database, holder_pid: int) -> int:
    """How many backends wait, directly or in the lock's queue, on the holder's lock."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity "
                "WHERE cardinality(pg_blocking_pids(pid)) > 0"
            )
        ).all()
    behind = {holder_pid}
    grew = True
    while grew:
        more = {pid for pid, blockers in rows if behind & set(blockers)} - behind
        behind |= more
        grew = bool(more)
    return len(behind) - 1


def test_a_message_and_its_mention_at_once(slack: Driver, staffed_db: Database) -> None:
    """Slack sends a thread reply that mentions the bot as `message` and as `app_mention`. On
    PostgreSQL both are held on the action's row lock after checking that the message is not
    logged yet, then let go together: the second must not fail on the unique key."""
    thread = share(slack, "action 4.2")
    words = "<@UBOT> green: panel meets weekly"
    ts = "1700000100.000900"
    send: list[Any] = [
        lambda: reply(slack, words, thread, ts=ts),
        lambda: slack.event(
            "app_mention.json", text=words, ts=ts, thread_ts=thread, channel="C0BOARD"
        ),
    ]
    answers: list[Answer]
    posted_before = len(slack.fake.calls_to("chat.postMessage"))
    if staffed_db.engine.dialect.name != "postgresql":
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda f: f(), send))
    else:
        with staffed_db.engine.connect() as holder:
            pid = int(holder.execute(text("SELECT pg_backend_pid()")).scalar() or 0)
            holder.execute(text("SELECT id FROM action WHERE ref = '4.2' FOR UPDATE"))
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = [pool.submit(f) for f in send]
                waited = threading.Event()
                for _ in range(1000):  # until both wait on the lock (or one has finished)
                    if _waiting_behind(staffed_db, pid) >= 2 or any(f.done() for f in futures):
                        break
                    waited.wait(0.02)
                holder.rollback()
                answers = [f.result() for f in futures]
    assert [a.status for a in answers] == [200, 200]
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["panel meets weekly"]
    assert len(slack.fake.calls_to("chat.postMessage")) == posted_before + 1  # one confirmation
