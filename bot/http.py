"""HTTP mode: Slack's requests at `POST /slack/events`, health at `GET /healthz`.

An ASGI app (Starlette) served by uvicorn. Bolt's own Starlette adapter calls the synchronous
app on the event loop, which would serialise requests; here each request is dispatched in the
thread pool so that concurrent requests are handled concurrently.

Before Bolt sees a request it must pass, in order: a size cap (over 1 MB: 413, and the body is
not read past the cap, whether it declares its length or streams it); Slack's signature over
the raw bytes (anything unsigned, stale or malformed: 401, nothing parsed, nothing called);
parsing (a signed body that is not a Slack payload: 400). No refused body is logged. A client
that goes away before its body has arrived is one line in the log. No path is redirected (a
trailing slash is not added or removed): Starlette's redirect would be built from the request's
own Host header. The limits on a request's head and its arrival are bot.port's.

The dispatch pool is capped at DISPATCH_THREADS (anyio's default is 40): a request is mostly
CPU under one GIL, so more threads add memory, not throughput; a burst queues instead.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import anyio.to_thread
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.settings import Settings
from bot.signing import MAX_BODY, is_signed, refused
from db.database import Database

log = logging.getLogger(__name__)
DISPATCH_THREADS = 8


class _TooLargeError(Exception):
    pass


async def _capped_body(request: Request) -> bytes:
    """The body, or _TooLargeError as soon as it is known to pass MAX_BODY (unread beyond that)."""
    declared = request.headers.get("content-length")  # uvicorn has refused a malformed one
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise _TooLargeError
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


def _refusal(status: int, error: str) -> Response:
    return JSONResponse({"ok": False, "error": error}, status_code=status)


async def _slack_request(
    request: Request, verifier: SignatureVerifier | None
) -> BoltRequest | Response:
    """Bolt's request, if it is small enough, signed and Slack's; else the refusal."""
    try:
        body = await _capped_body(request)
    except _TooLargeError:
        refused("body over 1 MB")
        return _refusal(413, "request_too_large")
    except ClientDisconnect:  # gone (or cut off by bot.port) before its body arrived
        log.info("a client went away before its request's body arrived")
        return _refusal(400, "incomplete_request")
    timestamp = request.headers.get("x-slack-request-timestamp")
    signature = request.headers.get("x-slack-signature")
    if verifier is None or not is_signed(verifier, body, timestamp, signature):
        refused("bad or missing signature", len(body))
        return _refusal(401, "invalid_request")
    headers: dict[str, str | Sequence[str]] = {
        name: request.headers.getlist(name)
        for name in request.headers
        if not name.startswith("x-slack-bolt-")  # Bolt's internal headers are not Slack's
    }
    try:  # signed, so UTF-8 (is_signed checked); does it parse as a Slack payload?
        bolt_request = BoltRequest(
            body=body.decode("utf-8"), query=request.url.query, headers=headers
        )
        if isinstance(bolt_request.body, dict):
            return bolt_request
    except Exception:  # noqa: S110 (not JSON, a payload that is not JSON, not an object)
        pass
    refused("signed, but the body is not a Slack payload", len(body))
    return _refusal(400, "invalid_payload")


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = DISPATCH_THREADS
    yield


def build_asgi(app: App, database: Database, settings: Settings) -> Starlette:
    secret = settings.slack_signing_secret
    verifier = SignatureVerifier(secret.get_secret_value()) if secret else None

    async def slack_events(request: Request) -> Response:
        bolt_request = await _slack_request(request, verifier)
        if isinstance(bolt_request, Response):
            return bolt_request
        try:
            bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        except Exception:  # outside Bolt's own error handling: the payload's shape is wrong
            log.exception(
                "could not dispatch a signed request (%d bytes)", len(bolt_request.raw_body)
            )
            return _refusal(400, "invalid_payload")
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

    def read_feed(name: str) -> bytes | None:
        from jobs.calendar_feed import board_feed

        with database.sessions() as session:  # a read: nothing is stored
            return board_feed(session, name, settings.timezone, datetime.now(UTC))

    async def board_calendar(request: Request) -> Response:
        feed = await run_in_threadpool(read_feed, request.path_params["name"])
        if feed is None:
            return Response("no such board", status_code=404, media_type="text/plain")
        return Response(feed, media_type="text/calendar; charset=utf-8")

    asgi = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/boards/{name}.ics", board_calendar, methods=["GET"]),
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
    )
    asgi.router.redirect_slashes = False  # its redirect is built from the request's Host header
    return asgi
