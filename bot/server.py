"""Running the bot against Slack: Socket Mode, or HTTP behind uvicorn."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.app import build_app, make_client
from bot.settings import Settings
from db.database import Database

if TYPE_CHECKING:
    from starlette.applications import Starlette

log = logging.getLogger(__name__)


def http_app(settings: Settings, database: Database) -> Starlette:
    """The ASGI app HTTP mode serves (the tests serve this very app)."""
    from bot.http import build_asgi

    return build_asgi(build_app(settings, database), database, settings)


def serve(settings: Settings, database: Database, *, mode: str | None, port: int | None) -> int:
    if settings.slack_bot_token is None:
        log.error("SLACK_BOT_TOKEN is not set: `ofsted-bot console` runs without Slack")
        return 2
    if settings.scheduler:
        from bot.outbox import start_scheduler

        start_scheduler(database, make_client(settings), settings)
    if mode is None:
        mode = "socket" if settings.slack_app_token else "http"
    if mode == "socket":
        if settings.slack_app_token is None:
            log.error("Socket Mode needs SLACK_APP_TOKEN (an xapp- token)")
            return 2
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        app = build_app(settings, database)
        log.info("connecting to Slack by Socket Mode")
        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()  # type: ignore[no-untyped-call]
        return 0
    if settings.slack_signing_secret is None:
        log.error("HTTP mode needs SLACK_SIGNING_SECRET to verify requests")
        return 2
    import uvicorn

    asgi = http_app(settings, database)
    listen = port or settings.port
    log.info("listening for Slack on http://0.0.0.0:%d/slack/events", listen)
    uvicorn.run(
        asgi,
        host="0.0.0.0",  # noqa: S104 (a server for Slack to reach)
        port=listen,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    return 0
