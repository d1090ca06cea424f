"""Owners log progress from Slack: the helpers the update tests share, and what is not one way in
(Undo, App Home, history, two hundred updates at once). Each way in has its own file:
test_updates_by_slash.py, test_updates_by_form.py, test_updates_by_message.py; rules that hold
on every way in are in test_update_rag.py, test_update_edit_rules.py, test_update_input.py,
test_update_acks.py, test_update_races.py and test_update_slack_shapes.py."""

from __future__ import annotations

import json

import pytest
from slackdriver import Answer, Driver, MovableClock
from sqlalchemy import func, select

from db.database import Database
from db.models import Action, AuditEntry, Update
from db.status import Rag


def share(slack: Driver, command: str, channel: str = "C0BOARD") -> str:
    """Share an answer in a channel; the ts of the bot's message there."""
    answer = slack.command(command, channel=channel)
    shared = slack.press(answer.button("Share in channel"), channel=channel)
    return str(next(c for c in shared.later if c.method == "chat.postMessage").response["ts"])


def action_row(db: Database, ref: str) -> Action:
    with db.sessions() as session:
        found = session.scalar(select(Action).where(Action.ref == ref).limit(1))
        assert found is not None
        return found


def updates_of(db: Database, ref: str) -> list[Update]:
    with db.sessions() as session:
        return list(
            session.scalars(
                select(Update).join(Action).where(Action.ref == ref).order_by(Update.id)
            )
        )


def reply(
    slack: Driver,
    text: str,
    thread_ts: str,
    *,
    user: str = "U0CP",
    ts: str = "1700000100.000200",
    **kwargs: object,
) -> Answer:
    return slack.event(
        "message_thread_reply.json",
        text=text,
        thread_ts=thread_ts,
        user=user,
        ts=ts,
        channel="C0BOARD",
        **kwargs,
    )


def test_undo_within_ten_minutes(slack: Driver, staffed_db: Database, clock: MovableClock) -> None:
    before = action_row(staffed_db, "4.2")
    logged = slack.command("update 4.2 red: blocked", user="U0CP")
    undone = slack.press(logged.button("Undo"), user="U0CP")
    assert "Withdrawn" in undone.text
    after = action_row(staffed_db, "4.2")
    assert (after.status, after.rag) == (before.status, before.rag)
    late = slack.command("update 4.2 red: blocked again", user="U0CP")
    clock.advance(minutes=11)
    too_late = slack.press(late.button("Undo"), user="U0CP")
    assert "Undo works for 10 minutes" in too_late.text
    assert action_row(staffed_db, "4.2").rag == Rag.RED
    stranger = slack.command("update 4.2 amber: x y z", user="U0CP")
    assert "Only whoever wrote" in slack.press(stranger.button("Undo"), user="U0PRACT").text


def test_app_home(slack: Driver) -> None:
    slack.event("app_home_opened.json")
    home = slack.fake.calls_to("views.publish")[-1].args
    assert home["user_id"] == "U0CP"
    shown = json.dumps(home["view"])
    assert "My actions" in shown and "4.1" in shown and "ofsted_update" in shown
    assert "at a glance" not in shown
    slack.event("app_home_opened.json", user="U0ADMIN")
    admin = json.dumps(slack.fake.calls_to("views.publish")[-1].args["view"])
    assert "The plan at a glance: ilacs-2022" in admin
    glance = json.dumps(slack.fake.calls_to("views.publish")[-1].args["view"], ensure_ascii=False)
    assert "Bars: one square per action." in glance and "🔴🟠🟢⚪  🔴1 🟠1 🟢1 ⚪1" in glance


def test_history_tells_the_whole_story(slack: Driver) -> None:
    slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    slack.command("update 4.2 green: HR approved both posts", user="U0CP")
    history = slack.command("history 4.2").message["blocks"]
    texts = [b["text"]["text"] for b in history if b["type"] == "section"]
    assert "HR approved both posts" in texts[0] and "waiting for HR" in texts[1]
    assert "RAG 🟠 Amber → 🟢 Green" in texts[0]


@pytest.fixture
def twenty_actions(staffed_db: Database, tmp_path: object) -> list[str]:
    from pathlib import Path

    import yaml

    from db.plan_import import import_plan_file

    plan = {
        "council": "Testshire",
        "posts": [{"key": "lead", "title": "Lead", "holder": "U0L"}],
        "plans": [
            {
                "key": "load-2024",
                "title": "Load",
                "kind": "inspection",
                "body": "O",
                "recommendations": [
                    {
                        "number": "1",
                        "text": "Many.",
                        "actions": [
                            {"ref": f"L.{i}", "title": f"Step {i}", "owner": "lead"}
                            for i in range(20)
                        ],
                    }
                ],
            }
        ],
    }
    path = Path(str(tmp_path)) / "load.yaml"
    path.write_text(yaml.safe_dump(plan))
    import_plan_file(staffed_db.writes, path)
    return [f"L.{i}" for i in range(20)]


def test_two_hundred_concurrent_updates(
    slack: Driver,
    staffed_db: Database,
    twenty_actions: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    # on a busy machine 16 SQLite writers in a queue can wait past the 10 s busy timeout: the
    # test is about every update being stored, not about how long the queue may be
    monkeypatch.setattr("db.session.SQLITE_BUSY_TIMEOUT_MS", 120_000)
    staffed_db.engine.dispose()  # connections made from here on wait that long

    def one(i: int) -> Answer:
        ref = twenty_actions[i % 20]
        status = ("green", "amber", "red")[i % 3]
        event = {"text": f"<@UBOT> {ref} {status}: update {i}", "ts": f"1700001000.{i:06d}"}
        answer = slack.event("app_mention.json", event_id=f"Ev0LOAD{i:04d}", user="U0L", **event)
        for retry in (1, 2, 3):  # as Slack does when an answer fails (SQLite's busy timeout
            if answer.status == 200:  # can run out on a loaded machine): the same event again
                break
            answer = slack.event(
                "app_mention.json", event_id=f"Ev0LOAD{i:04d}", retry=retry, user="U0L", **event
            )
        return answer

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, range(200)))
    assert [a.status for a in answers] == [200] * 200
    refused = [c for a in answers for c in a.later if c.method == "chat.postEphemeral"]
    assert refused == []
    with staffed_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Update)) == 200
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 200


def audit_entries(db: Database) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
