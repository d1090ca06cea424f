"""The Bolt app, built by one factory from the settings.

Listeners (bot/listeners/) are thin: they parse what Slack sent, call one domain function and
render one view. Lookups answer in the `ack()` itself (one round trip, well inside Slack's
3 seconds); button presses `ack()` first and answer through `respond()`. The app processes
before it responds, so an update is committed before Slack hears back: nothing is lost if the
process dies, and Slack's retry is recognised by its event_id.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
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


def build_app(
    settings: Settings,
    database: Database,
    *,
    client: WebClient | None = None,
    clock: Clock | None = None,
    process_before_response: bool = True,
    token_verification: bool = True,
) -> App:
    """The Bolt app. Tests and the console pass a client pointed at a fake Web API."""
    signing_secret = (
        settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else secrets.token_hex(16)
    )
    web = client or make_client(settings)
    app = App(
        client=web,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        token_verification_enabled=token_verification,
        raise_error_for_unhandled_request=False,
        request_verification_enabled=False,
        before_authorize=QuietRequestVerification(signing_secret),
    )
    ofsted = Ofsted(settings, database, clock)

    @app.middleware
    def time_requests(
        logger: logging.Logger, body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        started = time.perf_counter()
        response = next()
        kind = body.get("command") or body.get("type") or "request"
        logger.debug("%s handled in %.1f ms", kind, (time.perf_counter() - started) * 1000)
        return response

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
