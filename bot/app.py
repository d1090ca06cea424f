"""The Bolt app, built by one factory from the settings.

Listeners (bot/listeners/) are thin: they parse what Slack sent, call one domain function and
render one view. Lookups answer in the `ack()` itself (one round trip, well inside Slack's
3 seconds). Anything that calls the Web API or takes a while (sharing, the digest preview,
button presses, App Home) is a lazy listener: the ack goes out first, the work follows on the
app's executor. The app processes before it responds, so an update is committed before Slack
hears back: nothing is lost if the process dies, and Slack's retry is recognised by its
event_id.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.listeners import events, home, lookups, updates
from bot.services import Clock, Ofsted
from bot.settings import Settings
from bot.signing import QuietRequestVerification
from bot.views.help import internal_error_view
from db.database import Database

log = logging.getLogger(__name__)

# what a user sees while Slack's auth.test fails (Bolt's default says to reinstall the app)
SLACK_UNREACHABLE = (
    ":warning: The bot cannot reach Slack just now, so it did nothing. Try again in a minute."
)


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client for `SLACK_API_URL` that waits out 429s and retries transient faults."""
    bot_token = token or (
        settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    )
    return WebClient(
        token=bot_token,
        base_url=str(settings.slack_api_url),
        timeout=10,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


class TrackedExecutor(ThreadPoolExecutor):
    """The listeners' thread pool, which knows what it still has to do (see OfstedApp.settle)."""

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="ofsted-listener")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until all work (and any work it started) is done; False if it timed out."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            wait(pending, timeout=left)


class OfstedApp(App):
    """Bolt's App, timing each request, with a way to wait for the work done after acks."""

    executor: TrackedExecutor

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        try:
            return super().dispatch(req)
        finally:
            body = req.body if isinstance(req.body, dict) else {}
            kind = body.get("command") or (body.get("event") or {}).get("type") or body.get("type")
            log.debug(
                "%s handled in %.1f ms", kind or "request", (time.perf_counter() - started) * 1000
            )

    def settle(self, timeout: float = 60) -> None:
        """Wait for the lazy listeners' work (tests and the console show what follows an ack)."""
        if not self.executor.wait_idle(timeout):
            log.warning("work after the ack still running after %.0f s", timeout)


def build_app(
    settings: Settings,
    database: Database,
    *,
    client: WebClient | None = None,
    clock: Clock | None = None,
    process_before_response: bool = True,
    token_verification: bool = False,
) -> OfstedApp:
    """The Bolt app. Tests and the console pass a client pointed at a fake Web API.

    The token is not checked at start (`auth.test`), so a Slack outage does not stop the bot
    starting; Bolt calls `auth.test` with the first request instead and keeps the answer.
    Bolt's signature check is replaced by a quiet one (bot.signing) in the same place.
    """
    signing_secret = (
        settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else secrets.token_hex(16)
    )
    web = client or make_client(settings)
    executor = TrackedExecutor()
    app = OfstedApp(
        client=web,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        token_verification_enabled=token_verification,
        raise_error_for_unhandled_request=False,
        request_verification_enabled=False,
        before_authorize=QuietRequestVerification(signing_secret),
        listener_executor=executor,
        user_facing_authorize_error_message=SLACK_UNREACHABLE,
    )
    app.executor = executor
    ofsted = Ofsted(settings, database, clock)

    lookups.register(app, ofsted)
    updates.register(app, ofsted)
    events.register(app, ofsted)
    home.register(app, ofsted)

    @app.error
    def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
        error_id = uuid.uuid4().hex[:8]
        logger.error(
            "error %s in %s: %r",
            error_id,
            body.get("type") or body.get("command"),
            error,
            exc_info=error,
        )
        response_url = body.get("response_url")
        if response_url:
            try:
                from slack_sdk.webhook import WebhookClient

                WebhookClient(response_url).send_dict(internal_error_view(error_id).payload())
            except Exception:  # the error is logged already; nothing more can be done
                logger.warning("could not tell the user about error %s", error_id)

    return app
