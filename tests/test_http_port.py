"""The HTTP port under clients that are slow, huge or gone, over real
sockets against the app as HTTP mode serves it (bot.port's uvicorn settings).

A head past bot.port.HEADER_LIMIT is refused before the rest is read; a head or a body that
does not arrive in time is cut off (here the deadline is made short, so the tests are quick; the
bound each waits is only there so that the old behaviour fails instead of hanging); a client
that goes away mid-body is one line in the log, no traceback; no path is redirected to the
request's own Host header.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from conftest import bot_settings
from httpserver import serving

from bot.devtools.fakeslack import FakeSlack
from bot.port import HEADER_LIMIT, GuardedHttpProtocol
from bot.server import http_app
from db.database import Database

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)

WAIT = 8.0  # how long a test waits for the server to act before calling it held for ever


class QuickDeadline(GuardedHttpProtocol):
    request_seconds = 0.5


@pytest.fixture
def port(staffed_db: Database, database_url: str, fake_slack: FakeSlack) -> Iterator[int]:
    asgi = http_app(bot_settings(database_url, fake_slack), staffed_db)
    with serving(asgi, http=QuickDeadline) as url:
        yield int(urlsplit(url).port or 0)


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    return sock


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or WAIT passes)."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return received


def closed_within_wait(sock: socket.socket) -> bool:
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_head_past_the_limit_is_refused_before_it_is_read_whole(port: int) -> None:
    sock = connect(port)
    sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nX-Big: ")
    sent, chunk, refused_early = 0, b"a" * 65536, False
    try:
        while sent < 64 * HEADER_LIMIT:  # 2 MB of one header
            sock.sendall(chunk)
            sent += len(chunk)
        sock.sendall(b"\r\ncontent-length: 0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        refused_early = True  # the server closed while the header was still being sent
    head = answer(sock)
    assert head.startswith(b"HTTP/1.1 431") or (refused_early and not head), head[:80]


def test_a_head_sent_slowly_is_cut_off(port: int) -> None:
    sock = connect(port)
    sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n")
    assert answer(sock).startswith(b"HTTP/1.1 408")


def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    assert closed_within_wait(connect(port))


def test_a_body_trickled_in_is_cut_off(port: int) -> None:
    sock = connect(port)
    sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\ncontent-length: 1000\r\n\r\n")
    started, cut_off = time.monotonic(), False
    try:
        while time.monotonic() - started < WAIT:  # one byte a tenth of a second: 100 s in all
            sock.sendall(b"x")
            time.sleep(0.1)
    except (BrokenPipeError, ConnectionResetError):
        cut_off = True
    assert cut_off or closed_within_wait(sock)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "bot")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield handler
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_a_client_gone_mid_body_is_one_line_in_the_log(port: int, records: Records) -> None:
    for _ in range(3):
        sock = connect(port)
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\ncontent-length: 3000\r\n\r\n")
        sock.sendall(b"token=abc&text=half a body")
        sock.close()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and len(records.records) < 3:
        time.sleep(0.05)
    said = [record.getMessage() for record in records.records]
    assert len(said) == 3, said
    assert all("went away" in line and "\n" not in line for line in said), said
    assert not any(record.exc_info for record in records.records)


def test_a_trailing_slash_is_not_redirected_to_the_requests_host(port: int) -> None:
    for path in ("/boards/aeb.ics/", "/healthz/", "/slack/events/"):
        sock = connect(port)
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: evil.example\r\nconnection: close\r\n\r\n".encode()
        )
        head = answer(sock)
        assert head.startswith(b"HTTP/1.1 404"), (path, head[:120])
        assert b"evil.example" not in head
