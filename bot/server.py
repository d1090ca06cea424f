"""Running the bot against Slack: Socket Mode, or HTTP behind uvicorn.

HTTP mode can run several worker processes (`ofsted-bot run --http --workers N`): uvicorn's
supervisor starts N processes that share the port, each building the app afresh from the same
settings (`worker_app`); the scheduler runs once, in the supervisor. Every write is keyed in
the database (event ids, request keys, the outbox's claims), so nothing depends on which
process a request reaches.
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

from bot.app import build_app, make_client
from bot.port import uvicorn_options
from bot.settings import Settings
from db.database import Database

if TYPE_CHECKING:
    from starlette.applications import Starlette

log = logging.getLogger(__name__)


def freeze_startup_objects() -> None:
    """Keep what the imports and the app made (about 180,000 objects) out of the garbage
    collector's full collections: every so many allocations one walks every object, 105-145 ms
    on this project's 2-core machine, in the middle of a tick or a request; 10-20 ms frozen."""
    gc.collect()
    gc.freeze()


def http_app(settings: Settings, database: Database) -> Starlette:
    """The ASGI app HTTP mode serves (the tests serve this very app)."""
    from bot.http import build_asgi

    requests = database.for_requests()  # on PostgreSQL, calls bounded to keep Slack's 3 s
    return build_asgi(build_app(settings, requests), requests, settings)


def worker_app() -> Starlette:
    """The ASGI app of one worker process (uvicorn imports this by name in each worker). The
    supervisor has prepared the database already."""
    from bot.settings import load_settings

    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = http_app(settings, Database.open(settings.database_url))
    freeze_startup_objects()
    return app


def serve(
    settings: Settings,
    database: Database,
    *,
    mode: str | None,
    port: int | None,
    workers: int = 1,
) -> int:
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
        from bot.socket_mode import SocketMode

        app = build_app(settings, database.for_requests())
        freeze_startup_objects()
        log.info("connecting to Slack by Socket Mode")
        SocketMode(app, settings.slack_app_token.get_secret_value()).run()
        return 0
    if settings.slack_signing_secret is None:
        log.error("HTTP mode needs SLACK_SIGNING_SECRET to verify requests")
        return 2
    import uvicorn

    listen = port or settings.port
    log.info(
        "listening for Slack on http://0.0.0.0:%d/slack/events (%d worker process%s)",
        listen,
        workers,
        "" if workers == 1 else "es",
    )
    options = uvicorn_options(
        host="0.0.0.0",  # noqa: S104 (a server for Slack to reach)
        port=listen,
        log_level=settings.log_level.lower(),
    )
    if workers > 1:
        database.dispose()  # the workers open their own
        uvicorn.run("bot.server:worker_app", factory=True, workers=workers, **options)
    else:
        asgi = http_app(settings, database)
        freeze_startup_objects()
        uvicorn.run(asgi, **options)
    return 0
