"""The Bolt app, built by one factory from the settings.

Listeners (bot/listeners/) are thin top-level functions: they parse what Slack sent, call one
domain function and render one view. Each module's `register` is a short table of
registrations; guards (from a person, in a thread or a DM, the Home tab, answered later) are
Bolt matchers, and the services (bot.services.Ofsted) reach listeners through the Bolt context,
put there by a global middleware. An error anywhere becomes one error id the user is told
(bot.listeners.later.report_error).

Lookups answer in the `ack()` itself (one round trip, well inside Slack's 3 seconds).
Anything that calls the Web API or takes a while (sharing, the digest preview, button presses,
App Home) is a lazy listener: the ack goes out first, the work follows on the app's executor.
The app processes before it responds, so an update is committed before Slack hears back:
nothing is lost if the process dies, and Slack's retry is recognised by its event_id.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.logger.messages import warning_token_skipped
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.authorize import OwnTokenAuthorize
from bot.lanes import Lanes, PatientRateLimitHandler
from bot.listeners import events, home, nudges, ofsted, owners, reports, update_buttons
from bot.listeners.later import report_error
from bot.services import Clock, Ofsted, provide
from bot.settings import Settings
from bot.signing import QuietRequestVerification
from db.database import Database
from jobs.people import Directory

log = logging.getLogger(__name__)


class _TokenNotIgnored(logging.Filter):
    """Bolt warns at start that the client's token "will be ignored" because `authorize` is
    given: the token is used, through bot.authorize, and the warning misled newcomers (the
    console, which has no tokens, printed it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_token_skipped()


TOKEN_NOT_IGNORED = _TokenNotIgnored()


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client for `SLACK_API_URL` that waits out 429s and retries transient faults
    (in the app's lazy work, a 429 is waited out without holding a work slot: bot.lanes)."""
    bot_token = token or (
        settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    )
    return WebClient(
        token=bot_token,
        base_url=str(settings.slack_api_url),
        timeout=10,
        retry_handlers=[
            PatientRateLimitHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


def lookup_client(web: WebClient) -> WebClient:
    """A client for looking people up while Slack waits for an answer (a header's name): a
    short timeout and no retries, so a slow or rate-limited Slack costs the name, not the
    answer (the member id is shown instead)."""
    return WebClient(token=web.token, base_url=web.base_url, timeout=2)


class OfstedApp(App):
    """Bolt's App, timing each request."""

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


def build_app(
    settings: Settings,
    database: Database,
    *,
    client: WebClient | None = None,
    clock: Clock | None = None,
    process_before_response: bool = True,
) -> OfstedApp:
    """The Bolt app. Tests and the console pass a client pointed at a fake Web API.

    The token is not checked at start (`auth.test`), so a Slack outage does not stop the bot
    starting; bot.authorize asks `auth.test` with the first request and keeps the answer, and
    while Slack does not answer, requests go on without it (lookups need nothing from Slack).
    Bolt's signature check is replaced by a quiet one (bot.signing) in the same place.
    """
    signing_secret = (
        settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else secrets.token_hex(16)
    )
    web = client or make_client(settings)
    # the lazy listeners' threads (work after the ack): bounded, so a burst queues, not grows;
    # forms in a lane of their own, 429s waited out outside the work's slots (bot.lanes)
    lanes = Lanes(log)
    logging.getLogger("slack_bolt.App").addFilter(TOKEN_NOT_IGNORED)  # once, however many apps
    app = OfstedApp(
        client=web,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
        request_verification_enabled=False,
        before_authorize=QuietRequestVerification(signing_secret),
        listener_executor=lanes.work,
        authorize=OwnTokenAuthorize(web),
    )
    app.listener_runner.lazy_listener_runner = lanes
    app.use(from_someone)
    app.use(provide(Ofsted(settings, database, clock, Directory(lookup_client(web)))))
    owners.register(app)  # before lookups: an admin's `/ofsted owners` opens the form
    ofsted.register(app)
    update_buttons.register(app)
    nudges.register(app)
    reports.register(app)  # before events: a PDF in a DM is a report, not an update
    events.register(app)
    home.register(app)
    events.register_last(app)  # after every other listener
    app.error(on_error)
    return app


INTERACTIONS = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}


def from_someone(body: dict[str, Any], next_: Callable[[], None]) -> BoltResponse | None:
    """A global middleware: a command or an interaction says who sent it (`user_id`, `user.id`);
    one that does not, signed or not, is answered 400 and nothing is done."""
    if "command" in body:
        who = body.get("user_id")
    elif body.get("type") in INTERACTIONS:
        user = body.get("user")
        who = user.get("id") if isinstance(user, dict) else None
    else:
        who = "events say who in each listener's matcher"
    if not isinstance(who, str) or not who:
        log.info("refused a %s that names no user", body.get("command") or body.get("type"))
        return BoltResponse(status=400, body='{"ok":false,"error":"no_user"}')
    next_()
    return None


def on_error(error: Exception, body: dict[str, Any]) -> None:
    """An error in an ack listener: logged with an id the user is told."""
    report_error(str(body.get("type") or body.get("command")), error, body.get("response_url"))
