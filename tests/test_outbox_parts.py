"""Exactly once, part by part: a delivery's main message, its thread message and its files are
each posted once, whatever happens to Slack's answers or to the process sending them."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import add_board_channels, bot_settings, run_due_process
from sqlalchemy import select

from bot.app import make_client
from bot.devtools.fakeslack import Call, FakeSlack
from bot.outbox import tick
from bot.settings import Settings
from db.database import Database
from db.models import Delivery, DeliveryState
from jobs.tick import TickReport

LONDON = Settings().tz
DIGEST_DAY = "2022-10-10T09:00"  # the AEB's digest (meeting Wed 12 Oct 2022) goes out
FILES = ["aeb-2022-10-12-rag.png", "aeb-2022-10-12-board-paper.xlsx"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def run(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> Callable[[str], TickReport]:
    settings = bot_settings(database_url, fake_slack, send_interval=0.0)
    client = make_client(settings)
    client.timeout = 1  # a held-back answer times out quickly
    return lambda when: tick(staffed_db, client, settings, at(when))


def deliveries(db: Database, kind: str) -> list[Delivery]:
    with db.sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.kind == kind)))


def keyed(message: dict[str, Any]) -> str | None:
    payload = (message.get("metadata") or {}).get("event_payload") or {}
    return payload.get("key")


def in_thread(message: dict[str, Any]) -> bool:
    return message.get("thread_ts", message["ts"]) != message["ts"]


def is_thread_post(args: dict[str, Any]) -> bool:
    """A post in the thread of the digest in the secretary's DM."""
    return bool(args.get("thread_ts")) and args.get("channel") == "DU0SPM"


def is_share(args: dict[str, Any]) -> bool:
    """A file shared in the secretary's DM."""
    return args.get("channel_id") == "DU0SPM"


def digest_thread(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    """The AEB digest in a channel (exactly one top-level message) and its thread."""
    [main] = [m for m in fake.messages(channel) if (keyed(m) or "").startswith("digest:")]
    return fake.messages(channel, main["ts"])


def assert_each_part_once(fake: FakeSlack, channel: str) -> None:
    thread = digest_thread(fake, channel)
    bot_replies = [m for m in thread[1:] if m.get("user") == "UBOT"]
    texts = Counter(m["text"] for m in bot_replies if not m.get("files"))
    assert texts and max(texts.values()) == 1, texts
    files = [f["name"] for m in bot_replies for f in m.get("files", [])]
    assert sorted(files) == sorted(FILES)


@pytest.mark.parametrize("how", ["timeout", "drop", 500])
def test_a_nudge_whose_answer_is_lost_is_posted_once(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database, how: str | int
) -> None:
    fake_slack.lose_answer("chat.postMessage", how)  # type: ignore[arg-type]
    run("2022-10-05T09:00")
    run("2022-10-05T09:30")  # after any backoff
    assert [c.lost for c in fake_slack.calls_to("chat.postMessage")].count(str(how)) == 1
    for user in ("U0CP", "U0DCS", "U0FRS"):
        assert len(fake_slack.messages(user)) == 1, fake_slack.messages(user)
    nudges = deliveries(staffed_db, "nudge")
    assert {d.state for d in nudges} == {DeliveryState.SENT}
    assert all(d.slack_ts for d in nudges)


@pytest.mark.parametrize("how", ["timeout", "drop", 503])
def test_a_digest_whose_thread_message_is_lost_is_completed_without_reposting(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database, how: str | int
) -> None:
    fake_slack.lose_answer("chat.postMessage", how, match=is_thread_post)  # type: ignore[arg-type]
    run(DIGEST_DAY)
    run("2022-10-10T10:00")
    assert_each_part_once(fake_slack, "U0SPM")
    assert_each_part_once(fake_slack, "#achieving-excellence")
    aeb = [d for d in deliveries(staffed_db, "digest") if d.payload["board"] == "aeb"]
    assert {d.state for d in aeb} == {DeliveryState.SENT}


@pytest.mark.parametrize("how", ["timeout", "drop", 500])
def test_a_digest_whose_file_upload_is_lost_is_completed_without_reposting(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database, how: str | int
) -> None:
    fake_slack.lose_answer("files.completeUploadExternal", how, match=is_share)  # type: ignore[arg-type]
    run(DIGEST_DAY)
    run("2022-10-10T10:00")
    assert_each_part_once(fake_slack, "U0SPM")
    assert_each_part_once(fake_slack, "#achieving-excellence")


def test_a_digest_resumes_at_the_part_slack_refused(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database
) -> None:
    # the details are refused (not posted, but a 500 is not a definite no): the main message
    # stays posted and the delivery waits, then looks for the details and goes on from them
    fake_slack.fail_next("chat.postMessage", status=500, match=is_thread_post)
    first = run(DIGEST_DAY)
    assert first.sent.retried == 1
    [waiting] = [d for d in deliveries(staffed_db, "digest") if d.state == DeliveryState.PLANNED]
    assert waiting.slack_ts and waiting.parts_done == 1
    run("2022-10-10T10:00")
    assert_each_part_once(fake_slack, "U0SPM")
    assert_each_part_once(fake_slack, "#achieving-excellence")
    assert {d.state for d in deliveries(staffed_db, "digest")} >= {DeliveryState.SENT}


def test_a_definite_error_on_a_file_is_not_looked_for(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.fail_next("files.completeUploadExternal", error="ratelimited", match=is_share)
    run(DIGEST_DAY)
    [waiting] = [d for d in deliveries(staffed_db, "digest") if d.state == DeliveryState.PLANNED]
    assert (waiting.parts_done, waiting.in_doubt, waiting.reason) == (2, False, "ratelimited")
    run("2022-10-10T10:00")
    assert fake_slack.calls_to("conversations.replies") == []  # Slack said no: nothing to find
    assert_each_part_once(fake_slack, "U0SPM")
    assert_each_part_once(fake_slack, "#achieving-excellence")


def test_a_sender_killed_while_sharing_a_digest_file_resumes_without_reposting(
    staffed_db: Database, database_url: str
) -> None:
    victim: list[subprocess.Popen[bytes]] = []

    def kill_on_first_share(call: Call) -> None:
        if call.method == "files.completeUploadExternal" and is_share(call.args) and victim:
            os.kill(victim[0].pid, signal.SIGKILL)  # Slack shared the file; no one heard

    with FakeSlack(on_call=kill_on_first_share) as fake:
        add_board_channels(fake)
        victim.append(run_due_process(database_url, fake, DIGEST_DAY))
        victim[0].wait(timeout=60)
        assert victim[0].returncode == -signal.SIGKILL, (
            victim[0].stderr.read() if victim[0].stderr else ""
        )
        [dead] = [d for d in deliveries(staffed_db, "digest") if d.state == DeliveryState.SENDING]
        assert dead.parts_done == 2  # the main message and the details were recorded
        victim.clear()
        restart = run_due_process(database_url, fake, "2022-10-10T09:05")  # past the claim's lease
        assert restart.wait(timeout=60) == 0, restart.stderr.read() if restart.stderr else ""
        for channel in ("U0SPM", "#achieving-excellence"):
            assert_each_part_once(fake, channel)
    aeb = [d for d in deliveries(staffed_db, "digest") if d.payload["board"] == "aeb"]
    assert {d.state for d in aeb} == {DeliveryState.SENT}
