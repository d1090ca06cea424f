"""The outbox at every timing: a slow tick keeps its claims; an answer that is not Slack's, or
comes after the client gave up, is not taken for a refusal; a look-up waits until Slack has
finished, reads around the send in one call, and a 429 defers it; a file Slack shares seconds
later is decided by its id (files.info), not by what the thread shows."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import bot_settings
from slack_sdk import WebClient
from test_outbox_parts import DIGEST_DAY, FILES, at, deliveries, digest_thread, is_share

from bot.app import make_client
from bot.devtools.fakeslack import FakeSlack
from bot.outbox import tick
from db.database import Database
from db.models import DeliveryState
from jobs.tick import TickReport

NUDGE_DAY = "2022-10-05T09:00"  # the AEB's first nudges: U0CP, U0DCS, U0FRS
OWNERS = ("U0CP", "U0DCS", "U0FRS")

Run = Callable[..., TickReport]


@pytest.fixture
def run(staffed_db: Database, database_url: str, fake_slack: FakeSlack) -> Run:
    """A tick at a London time; `seconds` after it (a second ticker started later)."""

    def run_at(when: str, seconds: float = 0.0, timeout: int = 1, **settings: Any) -> TickReport:
        config = bot_settings(database_url, fake_slack, send_interval=0.0, **settings)
        client = make_client(config)
        client.timeout = timeout  # a held-back answer times out quickly
        return tick(staffed_db, client, config, at(when) + timedelta(seconds=seconds))

    return run_at


def to(user: str) -> Callable[[dict[str, Any]], bool]:
    return lambda args: args.get("channel") == user


def dms(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [m for m in fake.messages(user) if "nudge:" in str(m.get("metadata"))]


def assert_one_nudge_each(fake: FakeSlack, db: Database) -> None:
    assert {user: len(dms(fake, user)) for user in OWNERS} == dict.fromkeys(OWNERS, 1)
    assert {d.state for d in deliveries(db, "nudge")} == {DeliveryState.SENT}


def test_a_slow_tick_keeps_its_claims_from_a_second_ticker(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    # Slack takes 2.5 s over each nudge. A second ticker whose clock is past the first tick's
    # start by more than the 2-minute lease (as when the first tick has run that long) starts
    # while the first is sending its second nudge, claimed 2.5 s into its tick. A claim stamped
    # with the tick's start looks expired to it, and it takes the nudge in flight.
    fake_slack.slow("chat.postMessage", 2.5, times=3)
    first = threading.Thread(target=run, args=(NUDGE_DAY,), kwargs={"timeout": 10})
    first.start()
    time.sleep(3.5)
    second = run(NUDGE_DAY, 121.5, timeout=10)
    first.join(timeout=60)
    assert second.sent.recovered == 0
    assert_one_nudge_each(fake_slack, staffed_db)


def test_a_200_answer_that_is_not_slacks_json_is_not_taken_for_a_refusal(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.lose_answer("chat.postMessage", "text", match=to("U0CP"))  # posted; a proxy page
    first = run(NUDGE_DAY)
    [doubt] = [d for d in deliveries(staffed_db, "nudge") if d.recipient == "U0CP"]
    assert (doubt.state, doubt.in_doubt) == (DeliveryState.PLANNED, True)
    assert first.sent.retried == 1
    run("2022-10-05T09:30")
    assert_one_nudge_each(fake_slack, staffed_db)


def test_an_answer_after_the_timeout_and_after_a_look_up_is_not_posted_twice(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    # Slack posts 2.5 s after the request, the client gives up after 1 s: a look-up before
    # Slack has finished finds nothing, and posting again makes two
    fake_slack.slow("chat.postMessage", 2.5, match=to("U0CP"))
    run(NUDGE_DAY)
    deadline = time.monotonic() + 10
    while not dms(fake_slack, "U0CP") and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    assert len(dms(fake_slack, "U0CP")) == 1  # not posted again within the tick
    looked = len(fake_slack.calls_to("conversations.history"))
    run("2022-10-05T09:01")  # Slack may still be at it: not looked for yet
    assert len(fake_slack.calls_to("conversations.history")) == looked
    run("2022-10-05T09:30")
    assert_one_nudge_each(fake_slack, staffed_db)


def _chatter(fake: FakeSlack, user: str, count: int) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])
    for number in range(count):
        client.chat_postMessage(channel=user, text=f"Logged update {number}")


def test_a_lost_nudge_is_found_in_one_call_at_the_lowest_tier(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.non_marketplace()  # history and replies: 1 call a minute, 15 messages a call
    fake_slack.lose_answer("chat.postMessage", "timeout", match=to("U0CP"))
    run(NUDGE_DAY)
    fake_slack.advance(600)  # ten minutes on, twenty more messages in the DM
    _chatter(fake_slack, "U0CP", 20)
    run("2022-10-05T09:30")
    [looked] = fake_slack.calls_to("conversations.history")
    assert int(looked.args["limit"]) <= 15
    assert float(looked.args["oldest"]) < float(dms(fake_slack, "U0CP")[0]["ts"])
    assert float(looked.args["latest"]) < float(fake_slack.messages("U0CP")[-1]["ts"])
    assert_one_nudge_each(fake_slack, staffed_db)


def test_a_429_while_looking_defers_the_delivery_instead_of_waiting(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.tier("conversations.history", 1, 30.0, max_limit=15)
    fake_slack.lose_answer("chat.postMessage", "timeout", times=3)
    run(NUDGE_DAY)
    later = run("2022-10-05T09:30")
    assert (later.sent.sent, later.sent.deferred) == (1, 2)
    assert [c.status for c in fake_slack.calls_to("conversations.history")] == [200, 429, 429]
    for minutes in (31, 32):
        fake_slack.advance(31)
        run(f"2022-10-05T09:{minutes}")
    assert_one_nudge_each(fake_slack, staffed_db)
    assert all(d.attempts == 2 for d in deliveries(staffed_db, "nudge"))  # deferrals not counted


def test_a_file_slack_shares_seconds_later_is_not_uploaded_again(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.share_delay = 5.0  # the file appears in the thread 5 s after the upload is done
    fake_slack.lose_answer("files.completeUploadExternal", "timeout", match=is_share)
    run(DIGEST_DAY)
    [doubt] = [d for d in deliveries(staffed_db, "digest") if d.recipient == "U0SPM"]
    assert doubt.in_doubt and doubt.file_id
    fake_slack.advance(10)
    run("2022-10-10T10:00")
    fake_slack.advance(10)  # the board paper, shared at 10:00, appears
    thread = digest_thread(fake_slack, "U0SPM")
    files = [f["name"] for m in thread[1:] for f in m.get("files", [])]
    assert sorted(files) == sorted(FILES)
    assert fake_slack.calls_to("files.info")  # decided by the file's shares
    info = fake_slack.file_info(str(doubt.file_id))["file"]
    assert list(info["shares"]["private"]) == ["DU0SPM"]  # shared once, in the secretary's DM
