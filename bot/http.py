"""HTTP mode: Slack's requests at `POST /slack/events`, health at `GET /healthz`.

An ASGI app (Starlette) served by uvicorn. Bolt's own Starlette adapter calls the synchronous
app on the event loop, which would serialise requests; here each request is dispatched in the
thread pool so that concurrent requests are handled concurrently.
"""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.settings import Settings
from db.database import Database


def build_asgi(app: App, database: Database, settings: Settings) -> Starlette:
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    def database_ok() -> bool:
        try:
            with database.engine.connect() as connection:
                connection.execute(text("select 1"))
        except Exception:  # any failure means: not healthy
            return False
        return True

    async def healthz(request: Request) -> Response:
        healthy = await run_in_threadpool(database_ok)
        return JSONResponse(
            {"ok": healthy, "database": "ok" if healthy else "unreachable"},
            status_code=200 if healthy else 503,
        )

    async def board_calendar(request: Request) -> Response:
        from bot.cli_jobs import board_ics

        feed = await run_in_threadpool(board_ics, database, settings, request.path_params["name"])
        if feed is None:
            return Response("no such board", status_code=404, media_type="text/plain")
        return Response(feed, media_type="text/calendar; charset=utf-8")

    return Starlette(
        routes=[
            Route("/boards/{name}.ics", board_calendar, methods=["GET"]),
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
