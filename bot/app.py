"""The Bolt app, built by one factory from the settings.

Listeners are thin: they parse what Slack sent, call the command router (parse → one domain
call → one view), and answer. Lookups answer in the `ack()` itself (one round trip, well inside
Slack's 3 seconds); button presses `ack()` first and answer through `respond()`.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings
from bot.views.common import Reply
from bot.views.help import internal_error_view
from commands.context import Context
from commands.router import handle
from commands.search import SearchCatalogue
from db.database import Database

log = logging.getLogger(__name__)

BUTTONS = re.compile(r"^ofsted_(share|more|run|history)(:[0-9a-f]+)?$")
Clock = Callable[[], datetime]


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


class Ofsted:
    """What the listeners need, in one place."""

    def __init__(self, settings: Settings, database: Database, clock: Clock) -> None:
        self.settings = settings
        self.database = database
        self.catalogue = SearchCatalogue()
        self.clock = clock

    def context(self, user_id: str, channel_id: str | None) -> Context:
        return Context(
            self.database, self.settings, self.catalogue, user_id, channel_id, now=self.clock()
        )


def share(client: WebClient, respond: Respond, channel_id: str, user_id: str, reply: Reply) -> None:
    """Post an answer in the channel; where the bot is not a member, through response_url."""
    payload = reply.payload()
    text = f"{payload['text']} (shared by <@{user_id}>)"
    try:
        client.chat_postMessage(
            channel=channel_id,
            text=text,
            blocks=payload["blocks"],
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        if exc.response.get("error") not in {"not_in_channel", "channel_not_found"}:
            raise
        respond(
            response_type="in_channel", replace_original=False, text=text, blocks=payload["blocks"]
        )


def build_app(
    settings: Settings,
    database: Database,
    *,
    client: WebClient | None = None,
    clock: Clock | None = None,
    process_before_response: bool = False,
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
    )
    ofsted = Ofsted(settings, database, clock or (lambda: datetime.now(UTC)))

    @app.middleware
    def time_requests(
        logger: logging.Logger, body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        started = time.perf_counter()
        response = next()
        kind = body.get("command") or body.get("type") or "request"
        logger.debug("%s handled in %.1f ms", kind, (time.perf_counter() - started) * 1000)
        return response

    @app.command(re.compile(r"^/ofsted"))
    def on_ofsted(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ctx = ofsted.context(command["user_id"], command.get("channel_id"))
        reply = handle(ctx, command.get("text", ""))
        if not reply.in_channel:
            ack(**reply.payload())
            return
        ack()
        share(client, respond, command["channel_id"], command["user_id"], reply)

    @app.action(BUTTONS)
    def on_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        kind = action["action_id"].removeprefix("ofsted_").split(":")[0]
        user_id = body["user"]["id"]
        channel_id = (body.get("channel") or {}).get("id")
        try:
            value = json.loads(action.get("value") or "{}")
            command, page = str(value["cmd"]), int(value.get("page", 0))
        except (ValueError, KeyError, TypeError):
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="That button is out of date: run the command again.",
            )
            return
        ctx = ofsted.context(user_id, channel_id)
        reply = handle(ctx, command, page=page, share=kind == "share")
        if kind == "share" and reply.in_channel and channel_id:
            share(client, respond, channel_id, user_id, reply)
            return
        respond(**{**reply.payload(), "replace_original": kind == "more"})

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
