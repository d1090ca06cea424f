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

from db.database import Database


def build_asgi(app: App, database: Database) -> Starlette:
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

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
