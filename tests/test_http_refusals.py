"""Forged, malformed and oversized requests at `POST /slack/events`, over real HTTP.

Every unsigned request is refused with 401 before anything is parsed; a signed body that does
not parse gets 400; a body over 1 MB gets 413 before it is read. None of them makes the bot
call out (the fake Slack, which also serves the requests' response_url, records no call), and
no rejected body reaches the logs.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import bot_settings
from httpserver import post, serving
from slack_sdk.signature import SignatureVerifier
from slackdriver import SECRET, Driver, fixture, slash_body

from bot.app import build_app
from bot.devtools.fakeslack import FakeSlack
from bot.server import http_app
from db.database import Database

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MB = 1024 * 1024


@pytest.fixture
def server(staffed_db: Database, database_url: str, fake_slack: FakeSlack) -> Iterator[str]:
    """The app exactly as `ofsted-bot start` serves it in HTTP mode."""
    with serving(http_app(bot_settings(database_url, fake_slack), staffed_db)) as url:
        fake_slack.clear()
        yield url


def sign(body: bytes, *, secret: str = SECRET, stamp: str | None = None) -> dict[str, str]:
    """Headers signing the raw bytes as Slack would (HMAC over `v0:{ts}:{body}`)."""
    stamp = stamp if stamp is not None else str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {"x-slack-request-timestamp": stamp, "x-slack-signature": f"v0={digest.hexdigest()}"}


def attack_bodies(response_url: str) -> list[tuple[bytes, str]]:
    """Bodies that name a response_url (so a crash that answers there would show) or do not
    parse at all."""
    command = slash_body("rec 4", user="U0PRACT", channel="C0PRACTICE", response_url=response_url)
    action = fixture("block_actions.json") | {"response_url": response_url}
    return [
        (command.encode(), FORM),
        (urlencode({"payload": json.dumps(action)}).encode(), FORM),
        (b"{bad", JSON),
        (b"payload=%7Bnot", FORM),
        (b"\xff\xfe\xfd invalid utf-8 " + response_url.encode(), FORM),
        (b"payload=%7B%22response_url%22%3A%22" + response_url.encode() + b"%22", FORM),
        (b"", FORM),
    ]


def test_a_timestamp_that_is_not_an_integer_is_refused(server: str, fake_slack: FakeSlack) -> None:
    body = slash_body(
        "rec 4", user="U0PRACT", channel="C0PRACTICE", response_url=fake_slack.response_url()
    )
    for stamp in ["abc", "1.5", "", "²", "¹²³", "-5", "9" * 5000, "0x10"]:
        # even signed with the right secret over that timestamp
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        headers = {
            "content-type": FORM,
            "x-slack-request-timestamp": stamp,
            "x-slack-signature": signature or "",
        }
        status, _ = post(f"{server}/slack/events", body.encode(), headers)
        assert status == 401, stamp
    assert fake_slack.calls == []  # no response_url call: the attacker's URL is never touched


def test_unsigned_bodies_are_refused_before_they_are_parsed(
    server: str, fake_slack: FakeSlack
) -> None:
    for body, content_type in attack_bodies(fake_slack.response_url()):
        for headers in (
            {},  # no signature at all
            sign(body, secret="not-the-secret"),
            {"x-slack-request-timestamp": str(int(time.time())), "x-slack-signature": "v0=ÿ"},
            sign(body, stamp=str(int(time.time()) - 600)),  # right secret, stale
        ):
            status, answer = post(
                f"{server}/slack/events", body, {"content-type": content_type, **headers}
            )
            assert status == 401, (body[:40], headers)
            assert fake_slack.response_url() not in answer
    assert fake_slack.calls == []


def test_a_signed_body_that_does_not_parse_is_refused_without_a_call(
    server: str, fake_slack: FakeSlack
) -> None:
    url = fake_slack.response_url()
    for body, content_type in [
        (b"{bad", JSON),
        (b"payload=%7Bnot", FORM),
        (b"payload=%5B1%5D", FORM),  # payload=[1]
        (b"[1, 2]", JSON),
        (b'"' + url.encode() + b'"', JSON),
        (b"null", JSON),
        (b"\xff\xfe " + url.encode(), FORM),
        (b"payload=%7B%22response_url%22%3A%22" + url.encode() + b"%22", FORM),
    ]:
        status, _ = post(
            f"{server}/slack/events", body, {"content-type": content_type, **sign(body)}
        )
        assert status in (400, 401), (body, status)
    assert fake_slack.calls == []


def test_a_rejected_body_is_never_logged(
    staffed_db: Database,
    database_url: str,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # before the app is built: Bolt's loggers copy the level
    marker = "REJECTED-BODY-" + "x" * 2000
    body = f"text={marker}&response_url={fake_slack.response_url()}".encode()
    with serving(http_app(bot_settings(database_url, fake_slack), staffed_db)) as server:
        fake_slack.clear()
        for headers in (
            sign(body, secret="not-the-secret"),
            sign(body, stamp="abc"),
            {"x-slack-request-timestamp": str(int(time.time())), "x-slack-signature": "v0=0"},
        ):
            status, _ = post(f"{server}/slack/events", body, {"content-type": FORM, **headers})
            assert status == 401
        signed_bad = f"payload=%7B{marker}".encode()
        headers = {"content-type": FORM, **sign(signed_bad)}
        assert post(f"{server}/slack/events", signed_bad, headers)[0] in (400, 401)
    assert "REJECTED-BODY" not in caplog.text
    assert fake_slack.calls == []


def test_a_rejected_body_is_not_logged_by_the_app_either(
    staffed_db: Database,
    database_url: str,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The console dispatches to the Bolt app directly: its own check is as quiet."""
    caplog.set_level(logging.DEBUG)
    slack = Driver(build_app(bot_settings(database_url, fake_slack), staffed_db), fake_slack)
    for stamp in (None, int(time.time()) - 600):
        answer = slack.command("REJECTED-BODY rec 4", secret="not-the-secret", timestamp=stamp)
        assert answer.status == 401
    assert "REJECTED-BODY" not in caplog.text


def test_a_body_declared_over_a_megabyte_is_refused_unread(server: str) -> None:
    host = urlsplit(server)
    connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=10)
    try:
        connection.putrequest("POST", "/slack/events")
        connection.putheader("content-type", FORM)
        connection.putheader("content-length", str(100 * MB))
        connection.endheaders()
        connection.send(b"text=" + b"x" * 1000)  # the rest never comes
        response = connection.getresponse()
        assert response.status == 413
    finally:
        connection.close()


def test_a_chunked_body_over_a_megabyte_is_refused(server: str, fake_slack: FakeSlack) -> None:
    host = urlsplit(server)
    connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=10)
    try:
        chunks = (b"text=" + b"x" * 65536 for _ in range(32))  # 2 MB, no Content-Length
        headers = {"content-type": FORM}
        connection.request("POST", "/slack/events", chunks, headers, encode_chunked=True)
        assert connection.getresponse().status == 413
    finally:
        connection.close()
    assert fake_slack.calls == []


def test_a_streamed_body_is_cut_off_past_a_megabyte(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    settings = bot_settings(database_url, fake_slack)
    asgi = http_app(settings, staffed_db)
    chunk, chunks = b"x" * 65536, 64  # 4 MB, chunked (no Content-Length)
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/slack/events",
        "raw_path": b"/slack/events",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", FORM.encode()), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(asgi(scope, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert pulled <= MB // len(chunk) + 1  # stopped reading just past the cap
    assert fake_slack.calls == []


def test_a_body_under_the_cap_is_read_and_checked(server: str, fake_slack: FakeSlack) -> None:
    body = b"text=" + b"x" * (MB - 100)
    assert post(f"{server}/slack/events", body, {"content-type": FORM})[0] == 401
    signed = slash_body(
        "rec 4", user="U0PRACT", channel="C0PRACTICE", response_url=fake_slack.response_url()
    ).encode()
    status, answer = post(f"{server}/slack/events", signed, {"content-type": FORM, **sign(signed)})
    assert status == 200 and json.loads(answer)["blocks"]
