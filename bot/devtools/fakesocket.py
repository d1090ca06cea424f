"""Slack's end of Socket Mode, local, for tests and benchmarks: a WebSocket server that the fake
Web API's `apps.connections.open` hands out, speaking Slack's protocol.

    with FakeSlack() as fake, FakeSocketMode(fake, refresh_after=10) as socket:
        ...start the bot's Socket Mode handler with an xapp- token and fake.base_url...
        envelope = socket.command(slash_command_fields("rec 4", user_id="U1", response_url=url))
        assert socket.wait_acked(envelope).ack_payload["blocks"]

As Slack does (docs.slack.dev/apis/events-api/using-socket-mode): `apps.connections.open`
(an xapp- token) answers a one-use `ws://…/link/?ticket=…` URL; a connection opened on it is
greeted with `hello` (`num_connections`, `debug_info` with `approximate_connection_time`,
`connection_info.app_id`); payloads arrive as envelopes (`envelope_id`, `type`
"slash_commands" / "events_api" / "interactive", `accepts_response_payload`, events with
`retry_attempt`/`retry_reason`) and the app acks each with `{"envelope_id", "payload"?}`. Slack
refreshes connections: it sends `{"type": "disconnect", "reason": "refresh_requested"}` (or
"warning" some 10 s before, or "link_disabled"), expects the app to open a new connection, and
closes the old one itself if the app has not (`close_after` seconds later). `refresh_after=M`
sends that disconnect after every M acked envelopes; `disconnect()` sends it now.

With several connections open Slack may deliver on any of them. `route` says which: "fresh"
(the newest connection not being refreshed; with none, the envelope waits for one to say
hello) or "draining" (the connection being refreshed while it is still open: the overlap the
docs describe). Slack gives a slash command 3 s for its ack; an envelope records when it was
sent and each ack, so a late, lost (never acked) or doubly acked one shows. The fake does not
retry unacked events as Slack does (up to three times).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

if TYPE_CHECKING:
    from bot.devtools.fakeslack import FakeSlack

Json = dict[str, Any]
Route = Literal["fresh", "draining"]
Reason = Literal["refresh_requested", "warning", "link_disabled"]
Kind = Literal["slash_commands", "events_api", "interactive"]
APP_ID = "A0OFSTED"
ACK_LIMIT = 3.0  # seconds Slack waits for an envelope's ack


@dataclass
class Link:
    """One WebSocket connection from the app."""

    number: int
    ws: ServerConnection
    opened_at: float
    refreshing: str = ""  # the disconnect reason Slack sent it, if any
    closed_at: float | None = None

    @property
    def live(self) -> bool:
        return self.closed_at is None


@dataclass
class Envelope:
    envelope_id: str
    type: Kind
    payload: Json
    accepts_response_payload: bool
    sent_at: float  # when Slack had it to deliver (time.monotonic())
    delivered_at: float | None = None
    link: int | None = None  # the connection it was delivered on
    after_refresh: bool = False  # the first envelope sent after a disconnect
    acks: list[tuple[float, Json | None]] = field(default_factory=list)

    def message(self) -> Json:
        sent: Json = {"envelope_id": self.envelope_id, "type": self.type}
        sent |= {"payload": self.payload, "accepts_response_payload": self.accepts_response_payload}
        if self.type == "events_api":
            sent |= {"retry_attempt": 0, "retry_reason": ""}
        return sent

    @property
    def ack_seconds(self) -> float | None:
        """Seconds from Slack having it to the first ack (None: never acked)."""
        return self.acks[0][0] - self.sent_at if self.acks else None

    @property
    def ack_payload(self) -> Json | None:
        return self.acks[0][1] if self.acks else None

    @property
    def in_time(self) -> bool:
        return self.ack_seconds is not None and self.ack_seconds <= ACK_LIMIT


class FakeSocketMode:
    """The server; start() it (or use it as a context manager) after the FakeSlack."""

    def __init__(
        self,
        fake: FakeSlack,
        *,
        refresh_after: int | None = None,
        route: Route = "fresh",
        close_after: float = 10.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.fake, self.host, self.route = fake, host, route
        self.refresh_after, self.close_after = refresh_after, close_after
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._links: list[Link] = []
        self._envelopes: dict[str, Envelope] = {}
        self._pending: list[Envelope] = []
        self._acked_since_refresh = 0
        self._refreshed = False
        self.stray_acks: list[Json] = []  # acks naming no envelope Slack sent
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._server: Server | None = None
        self._port = 0

    # -- running ------------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        started = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = started.result(timeout=10)
        self._port = self._server.sockets[0].getsockname()[1]
        self.fake.serve_socket_mode(self._issue_url)
        return self

    async def _serve(self) -> Server:
        return await serve(self._session, self.host, 0, process_request=self._admit)

    def stop(self) -> None:
        self.fake.serve_socket_mode(None)
        server = self._server
        if server is not None and self._thread is not None:
            server.close()
            asyncio.run_coroutine_threadsafe(server.wait_closed(), self._loop).result(timeout=15)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _issue_url(self) -> str:
        """apps.connections.open's answer (called by the fake Web API)."""
        ticket = str(uuid.uuid4())
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://{self.host}:{self._port}/link/?ticket={ticket}&app_id={APP_ID}"

    def _admit(self, ws: ServerConnection, request: Request) -> Response | None:
        """A URL is good once: a ticket not issued, or used already, is refused."""
        ticket = parse_qs(urlsplit(request.path).query).get("ticket", [""])[0]
        with self._cond:
            if ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
        return ws.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    async def _session(self, ws: ServerConnection) -> None:
        with self._cond:
            link = Link(len(self._links) + 1, ws, time.monotonic())
            self._links.append(link)
            live = sum(1 for one in self._links if one.live)
        await ws.send(json.dumps(hello(live)))
        await self._flush()
        try:
            async for raw in ws:
                self._on_ack(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                link.closed_at = time.monotonic()
                self._cond.notify_all()

    # -- what Slack sends ---------------------------------------------------------------------

    def send(self, kind: Kind, payload: Json, *, accepts_response_payload: bool = True) -> Envelope:
        """Deliver a payload in an envelope (now, or once a connection can take it)."""
        envelope = Envelope(str(uuid.uuid4()), kind, payload, accepts_response_payload, 0.0)
        with self._cond:
            envelope.sent_at = time.monotonic()
            envelope.after_refresh, self._refreshed = self._refreshed, False
            self._envelopes[envelope.envelope_id] = envelope
            self._pending.append(envelope)
        self._call(self._flush())
        return envelope

    def command(self, fields: Json) -> Envelope:
        return self.send("slash_commands", fields)

    def event(self, body: Json) -> Envelope:
        return self.send("events_api", body, accepts_response_payload=False)

    def disconnect(self, reason: Reason = "refresh_requested") -> None:
        """Tell the app to reconnect, on every live connection (the refresh after M acks
        tells only those not told already)."""
        self._call(self._disconnect(reason, again=True))

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _disconnect(self, reason: str, *, again: bool = False) -> None:
        with self._cond:
            told = [link for link in self._links if link.live and (again or not link.refreshing)]
            for link in told:
                link.refreshing = reason
            self._refreshed, self._acked_since_refresh = True, 0
        for link in told:
            message = {"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}}
            await _send(link.ws, message)
            self._loop.call_later(self.close_after, self._close, link)

    def _close(self, link: Link) -> None:
        if link.live:
            self._loop.create_task(link.ws.close(1000, "refreshed"))

    async def _flush(self) -> None:
        """Deliver what waits, each on the connection `route` picks."""
        while True:
            with self._cond:
                link = self._pick()
                if link is None or not self._pending:
                    return
                envelope = self._pending.pop(0)
                envelope.delivered_at, envelope.link = time.monotonic(), link.number
            if not await _send(link.ws, envelope.message()):
                with self._cond:
                    self._pending.insert(0, envelope)  # closed under it: the next one takes it

    def _pick(self) -> Link | None:
        live = [link for link in self._links if link.live and link.ws.state.name == "OPEN"]
        draining = [link for link in live if link.refreshing]
        if self.route == "draining" and draining:
            return draining[0]
        fresh = [link for link in live if not link.refreshing]
        return fresh[-1] if fresh else None

    def _on_ack(self, raw: str | bytes) -> None:
        try:
            ack = json.loads(raw)
        except ValueError:
            ack = {"unparsed": str(raw)}
        refresh = False
        with self._cond:
            envelope = self._envelopes.get(str(ack.get("envelope_id"))) if ack else None
            if envelope is None:
                self.stray_acks.append(ack)
            else:
                envelope.acks.append((time.monotonic(), ack.get("payload")))
                self._acked_since_refresh += 1
                refresh = self._acked_since_refresh == self.refresh_after
            self._cond.notify_all()
        if refresh:
            self._loop.create_task(self._disconnect("refresh_requested"))

    # -- what a test reads --------------------------------------------------------------------

    @property
    def envelopes(self) -> list[Envelope]:
        with self._cond:
            return list(self._envelopes.values())

    @property
    def links(self) -> list[Link]:
        with self._cond:
            return list(self._links)

    def wait_acked(self, envelope: Envelope, timeout: float = 15.0) -> Envelope:
        with self._cond:
            self._cond.wait_for(lambda: bool(envelope.acks), timeout)
        return envelope

    def wait_connected(self, count: int = 1, timeout: float = 15.0) -> bool:
        """Wait until `count` connections have been opened in all."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._links) >= count, timeout)

    def wait_all_acked(self, timeout: float = 15.0) -> bool:
        with self._cond:
            return self._cond.wait_for(
                lambda: all(e.acks for e in self._envelopes.values()), timeout
            )

    def first_after_refresh(self) -> Iterator[Envelope]:
        return (e for e in self.envelopes if e.after_refresh)


HOST = "applink-fake-1"


def hello(num_connections: int) -> Json:
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    debug = {"host": HOST, "started": started, "build_number": 1}
    debug["approximate_connection_time"] = 3600
    return {
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": debug,
        "connection_info": {"app_id": APP_ID},
    }


async def _send(ws: ServerConnection, message: Json) -> bool:
    try:
        await ws.send(json.dumps(message))
    except ConnectionClosed:
        return False
    return True
