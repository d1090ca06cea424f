"""Socket Mode: slack_sdk's aiohttp client, with the (sync) app's listeners on threads.

Slack refreshes a Socket Mode connection every few hours: it sends `disconnect`
(refresh_requested) and the app opens a new connection. slack_sdk's built-in client, Bolt's
default, closes the old connection while its reader holds the receive lock (a 3 s socket
timeout), so the first command after each refresh was acked 3.05 s after it was sent: past
Slack's 3 s, and the user saw an error. The aiohttp client (Bolt's own asyncio adapter, which
reads the proxy from the environment as the built-in one does) acked it within 10 ms across
refreshes; websocket-client took 0.3 to 10 s and left envelopes unacked; the websockets client
was as quick as aiohttp but takes no proxy (bench/socket_mode.py, bench/README.md).

slack_bolt's aiohttp handler runs a sync App's dispatch on the event loop, one envelope at a
time; here it runs on a pool of threads (as the built-in client did, 10), so a slow lookup does
not hold up the next command's ack. The client runs on an event loop of its own, in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.aiohttp import SocketModeHandler as AiohttpHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


class ThreadedHandler(AiohttpHandler):
    """Bolt's aiohttp Socket Mode handler, dispatching each envelope on a worker thread.
    Made inside the event loop it runs on (the aiohttp client starts its tasks there)."""

    def __init__(self, app: App, app_token: str, *, concurrency: int = 10) -> None:
        client = app.client
        web = AsyncWebClient(base_url=client.base_url, timeout=10, proxy=client.proxy)
        super().__init__(app, app_token, web_client=web, proxy=client.proxy)
        self.work = ThreadPoolExecutor(concurrency, thread_name_prefix="socket-mode")

    async def handle(self, client: Any, req: Any) -> None:
        started = time.time()
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self.work, run_bolt_app, self.app, req)
        await send_async_response(client, req, response, started)


class SocketMode:
    """The app's Socket Mode connection: `connect()` returns once connected, `close()` ends it,
    `run()` connects and blocks (`ofsted-bot run`)."""

    def __init__(self, app: App, app_token: str) -> None:
        self.app, self.app_token = app, app_token
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="socket-mode-loop", daemon=True
        )
        self.handler: ThreadedHandler | None = None

    def connect(self, timeout: float | None = None) -> None:
        """Connect; a token Slack refuses raises its SlackApiError here, as the built-in
        client did (later faults are retried by the client)."""
        self.thread.start()
        self.handler = self._call(self._connect(), timeout)

    async def _connect(self) -> ThreadedHandler:
        handler = ThreadedHandler(self.app, self.app_token)
        handler.client.wss_uri = await handler.client.issue_new_wss_url()
        await handler.connect_async()  # type: ignore[no-untyped-call]
        return handler

    def close(self) -> None:
        if self.handler is not None:
            self._call(self.handler.close_async())  # type: ignore[no-untyped-call]
            self.handler.work.shutdown(wait=False)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)

    def run(self) -> None:
        self.connect()
        log.info("connected to Slack by Socket Mode")
        try:
            threading.Event().wait()
        finally:
            self.close()

    def _call(self, coroutine: Any, timeout: float | None = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)
