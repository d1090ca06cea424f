"""HTTP mode over real HTTP: uvicorn serving the ASGI app, requests signed as Slack signs them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import bot_settings
from httpserver import post, serving
from slackdriver import SECRET, slash_body, stale

from bot.devtools.fakeslack import FakeSlack
from bot.devtools.slack_requests import signed_headers
from bot.server import http_app
from db.database import Database

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)


@pytest.fixture
def server(staffed_db: Database, database_url: str, fake_slack: FakeSlack) -> Iterator[str]:
    """The app exactly as `ofsted-bot start` serves it in HTTP mode."""
    with serving(http_app(bot_settings(database_url, fake_slack), staffed_db)) as url:
        yield url


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
