"""HTTP mode over real HTTP: uvicorn serving the ASGI app, requests signed as Slack signs them."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn
from conftest import bot_settings
from slackdriver import SECRET, slash_body, stale

from bot.app import build_app
from bot.fakeslack import FakeSlack
from bot.http import build_asgi
from bot.slack_requests import signed_headers
from db.database import Database


@pytest.fixture
def server(staffed_db: Database, database_url: str, fake_slack: FakeSlack) -> Iterator[str]:
    settings = bot_settings(database_url, fake_slack)
    app = build_app(settings, staffed_db, process_before_response=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        build_asgi(app, staffed_db, settings), log_level="warning", lifespan="off"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    instance.should_exit = True
    thread.join(timeout=10)


def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def command(
    server: str, text: str, fake: FakeSlack, *, secret: str = SECRET, timestamp: int | None = None
) -> tuple[int, str]:
    body = slash_body(text, user="U0PRACT", channel="C0PRACTICE", response_url=fake.response_url())
    return post(f"{server}/slack/events", body, signed_headers(secret, body, timestamp=timestamp))


def test_signed_command_over_http(server: str, fake_slack: FakeSlack) -> None:
    status, body = command(server, "rec 4", fake_slack)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "Recommendation 4"


def test_bad_or_stale_signatures_are_refused(server: str, fake_slack: FakeSlack) -> None:
    fake_slack.clear()
    assert command(server, "rec 4", fake_slack, secret="not-the-secret")[0] == 401
    assert command(server, "rec 4", fake_slack, timestamp=stale())[0] == 401
    body = slash_body("rec 4", user="U0PRACT", channel="C0", response_url=fake_slack.response_url())
    assert (
        post(f"{server}/slack/events", body, {"content-type": "application/x-www-form-urlencoded"})[
            0
        ]
        == 401
    )
    assert fake_slack.calls == []  # nothing was processed


def test_url_verification_and_health(server: str) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    status, text = post(
        f"{server}/slack/events",
        body,
        signed_headers(SECRET, body, content_type="application/json"),
    )
    assert status == 200 and "c-123" in text
    with urllib.request.urlopen(f"{server}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True, "database": "ok"}


def test_concurrent_requests(server: str, fake_slack: FakeSlack) -> None:
    texts = ["rec 4", "action 4.1", "search supervision", "mine", "plans", "board"] * 5
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda t: command(server, t, fake_slack), texts))
    assert [status for status, _ in results] == [200] * len(texts)
    assert all(json.loads(body)["blocks"] for _, body in results)


def test_board_calendar_feed(server: str) -> None:
    with urllib.request.urlopen(f"{server}/boards/aeb.ics", timeout=10) as response:
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/calendar")
        body = response.read().decode()
    assert body.startswith("BEGIN:VCALENDAR") and "Achieving Excellence Board" in body
    assert body.count("BEGIN:VEVENT") >= 4
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(f"{server}/boards/nope.ics", timeout=10)
