"""The same-path floor: a minimal Bolt app behind uvicorn whose `/ofsted` runs one `SELECT 1`.

    .venv/bin/python -m bench.floor --url sqlite:////tmp/bench.db --port 3918 --api-url URL

What any Bolt app on this HTTP path costs per slash command with one database round trip:
uvicorn (the same server options as the bot's), Bolt's own Starlette adapter and signature
check, a listener that reads the database once and acks. bench/load.py starts it beside the bot
and reports each verb's latency as a ratio to it.
"""

from __future__ import annotations

import argparse

import uvicorn
from slack_bolt import Ack, App
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db.database import Database

SECRET = "bench-secret"


def build(url: str, api_url: str) -> Starlette:
    database = Database.connect(url)
    client = WebClient(token="xoxb-floor", base_url=api_url)  # auth.test, once, to the fake
    app = App(
        signing_secret=SECRET,
        token_verification_enabled=False,
        client=client,
        process_before_response=True,  # as the bot: no polling for the ack
    )

    @app.command("/ofsted")
    def ofsted(ack: Ack) -> None:
        with database.engine.connect() as connection:
            connection.execute(text("select 1")).scalar()
        ack(text="ok")

    handler = SlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)  # type: ignore[no-any-return]

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--port", type=int, default=3918)
    parser.add_argument("--api-url", required=True, help="the (fake) Slack Web API")
    args = parser.parse_args()
    uvicorn.run(
        build(args.url, args.api_url), host="127.0.0.1", port=args.port, log_level="warning"
    )


if __name__ == "__main__":
    main()
