"""Slack hears back before the bot calls Slack: sharing, the digest preview, the buttons that
answer through response_url and App Home are acknowledged first and done after, even while the
Web API answers 429; and the bot starts while Slack is down.

Served over real HTTP exactly as `ofsted-bot start` serves it (process_before_response: the
HTTP answer goes out only when the ack listener returns). A gate in the fake Slack holds each
call of interest until the test has its HTTP answer, and records whether it had: an ack that
waited on such a call would never come while the call is held (the gate gives up after a few
seconds and records False). The order of events is checked, never a duration.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from conftest import bot_settings
from httpserver import post, serving
from slackdriver import SECRET, event_body, press_body, slash_body

from bot.fakeslack import Call, FakeSlack
from bot.server import http_app
from bot.slack_requests import signed_headers
from db.database import Database

T = TypeVar("T")


class Gate:
    """Holds calls to `methods` until `answered` is set; records (method, answered first?)."""

    def __init__(self, *methods: str) -> None:
        self.methods = methods
        self.answered = threading.Event()
        self.seen: list[tuple[str, bool]] = []

    def __call__(self, call: Call) -> None:
        if call.method in self.methods:
            self.seen.append((call.method, self.answered.wait(timeout=5)))


@contextmanager
def bot_behind(gate: Gate, database: Database, url: str) -> Iterator[tuple[str, FakeSlack]]:
    with (
        FakeSlack(on_call=gate) as fake,
        serving(http_app(bot_settings(url, fake), database)) as server,
    ):
        yield server, fake


def wait_for(found: Callable[[], T], what: str) -> T:
    """Wait (up to 20 s, a deadlock breaker, not a timing check) for `found()` to be truthy."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if result := found():
            return result
        time.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


def command(
    server: str, fake: FakeSlack, text: str, channel: str = "C0PRACTICE"
) -> tuple[int, str]:
    body = slash_body(text, user="U0PRACT", channel=channel, response_url=fake.response_url())
    return post(f"{server}/slack/events", body, signed_headers(SECRET, body), timeout=30)


def test_share_is_acknowledged_before_it_is_posted(staffed_db: Database, database_url: str) -> None:
    gate = Gate("chat.postMessage")
    with bot_behind(gate, staffed_db, database_url) as (server, fake):
        fake.fail_next("chat.postMessage", status=429, retry_after=1)
        status, _ = command(server, fake, "rec 4 share", channel="C0BOARD")
        gate.answered.set()
        assert status == 200
        posted = wait_for(
            lambda: [c for c in fake.calls_to("chat.postMessage") if c.status == 200],
            "the share was posted",
        )
    assert posted[0].args["channel"] == "C0BOARD"
    assert "shared by <@U0PRACT>" in posted[0].args["text"]
    # the 429 and the retry both came after Slack had its answer
    assert gate.seen == [("chat.postMessage", True), ("chat.postMessage", True)]


def test_the_share_button_is_acknowledged_before_it_is_posted(
    staffed_db: Database, database_url: str
) -> None:
    gate = Gate("chat.postMessage", "response_url")
    with bot_behind(gate, staffed_db, database_url) as (server, fake):
        status, answer = command(server, fake, "rec 4", channel="C0BOARD")
        assert status == 200
        share = next(
            element
            for block in json.loads(answer)["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
            if element["text"]["text"].startswith("Share in channel")
        )
        fake.fail_next("chat.postMessage", status=429, retry_after=1)
        body = press_body(
            share, user="U0PRACT", channel="C0BOARD", response_url=fake.response_url()
        )
        status, _ = post(f"{server}/slack/events", body, signed_headers(SECRET, body), timeout=30)
        gate.answered.set()
        assert status == 200
        wait_for(
            lambda: [c for c in fake.calls_to("chat.postMessage") if c.status == 200],
            "the share was posted",
        )
    assert gate.seen and all(answered for _, answered in gate.seen), gate.seen


def test_the_digest_preview_is_acknowledged_before_it_is_built_and_sent(
    staffed_db: Database, database_url: str
) -> None:
    gate = Gate("response_url")
    with bot_behind(gate, staffed_db, database_url) as (server, fake):
        status, _ = command(server, fake, "digest aeb")
        gate.answered.set()
        assert status == 200
        sent = wait_for(
            lambda: [
                c for c in fake.calls_to("response_url") if "Preview" in c.args.get("text", "")
            ],
            "the digest was sent",
        )
    assert sent[0].args["response_type"] == "ephemeral"
    assert gate.seen and all(answered for _, answered in gate.seen), gate.seen


def test_app_home_is_acknowledged_before_it_is_published(
    staffed_db: Database, database_url: str
) -> None:
    gate = Gate("views.publish")
    with bot_behind(gate, staffed_db, database_url) as (server, fake):
        fake.fail_next("views.publish", status=429, retry_after=1)
        body = event_body("app_home_opened.json", user="U0CP")
        headers = signed_headers(SECRET, body, content_type="application/json")
        status, _ = post(f"{server}/slack/events", body, headers, timeout=30)
        gate.answered.set()
        assert status == 200
        wait_for(
            lambda: [c for c in fake.calls_to("views.publish") if c.status == 200],
            "App Home was published",
        )
    assert gate.seen == [("views.publish", True), ("views.publish", True)]


def test_the_bot_starts_while_slack_is_down(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("auth.test", status=500, times=1000)
    with serving(http_app(bot_settings(database_url, fake_slack), staffed_db)) as server:
        with urllib.request.urlopen(f"{server}/healthz", timeout=10) as response:
            assert response.status == 200
            assert json.loads(response.read()) == {"ok": True, "database": "ok"}
        status, answer = command(server, fake_slack, "rec 4")  # a lookup needs no Slack
        assert (
            status == 200 and json.loads(answer)["blocks"][0]["text"]["text"] == "Recommendation 4"
        )
        fake_slack.clear()  # Slack is back
        status, answer = command(server, fake_slack, "rec 4")
        assert (
            status == 200 and json.loads(answer)["blocks"][0]["text"]["text"] == "Recommendation 4"
        )


def test_lookups_answer_while_slack_cannot_be_reached(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    # nothing listens on port 9: every Web API call, auth.test first, is refused
    settings = bot_settings(database_url, fake_slack).model_copy(
        update={"slack_api_url": "http://127.0.0.1:9/api/"}
    )
    with serving(http_app(settings, staffed_db)) as server:
        for _ in range(2):  # the second request does not wait on Slack again
            status, answer = command(server, fake_slack, "action 4.2")
            assert status == 200 and "Build on the success of the Mockingbird" in answer
