"""The HTTP port's limits: how much of a request's head is read, and how long a request may take
to arrive.

uvicorn's httptools protocol (kept: a third of h11's cost per request) reads a request's head
whole however long it is (one 200 MB header: +250 MB of memory) and waits for ever for a head
or a body that is sent slowly. `GuardedHttpProtocol` adds two limits:

- a request's head (request line and headers) past HEADER_LIMIT bytes gets 431 and the
  connection is closed, before any more of it is read;
- a request must arrive whole (head and body) within REQUEST_SECONDS of its connection opening
  or its first byte after a response: a head still incomplete then gets 408, a body still
  arriving is cut off (the app sees the client gone, bot.http logs it in one line). An idle
  kept-alive connection is closed by uvicorn's own `timeout_keep_alive`.

Slack sends a few kilobytes of headers and a body of at most a few hundred, at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)
HEADER_LIMIT = 32 * 1024
REQUEST_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a cap on the head and a deadline for the request."""

    header_limit = HEADER_LIMIT
    request_seconds = REQUEST_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._head_done = False
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._head_done:
            self._head_bytes += len(data)
        super().data_received(data)
        if not self._head_done and self._head_bytes > self.header_limit:
            self._refuse(431, "Request Header Fields Too Large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_done = False
        if self._deadline is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._head_done = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._head_bytes = 0  # the next request's head counts from here
        super().on_message_complete()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._head_done:  # the app is reading the body: it sees the client gone
            log.info("closed a connection: its body took over %.0f s", self.request_seconds)
            self.transport.close()
        elif self._head_bytes:
            self._refuse(408, "Request Timeout")
        else:  # connected and sent nothing
            self.transport.close()

    def _refuse(self, status: int, reason: str) -> None:
        self._disarm()
        if self.transport.is_closing():
            return
        log.info("refused a request: %d %s", status, reason)
        self.transport.write(
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(reason)}\r\nconnection: close\r\n\r\n{reason}".encode("ascii")
        )
        self.transport.close()


def uvicorn_options(**overrides: Any) -> dict[str, Any]:
    """The uvicorn settings HTTP mode serves with (the tests serve with them too)."""
    return {
        "http": GuardedHttpProtocol,
        "ws": "none",  # Slack posts plain HTTP: no WebSocket library loaded (~10 MB)
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "access_log": False,
        **overrides,
    }
