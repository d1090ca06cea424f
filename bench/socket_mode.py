"""Socket Mode benchmark: slash commands acked across connection refreshes, per adapter.

    .venv/bin/python bench/socket_mode.py [--n 60] [--every 10] [--pace 0.2] [--adapters ...]

The real Bolt app (Surrey's plans, SQLite) connects by Socket Mode to the local server
(bot.devtools.fakesocket) through each of slack_sdk's Socket Mode clients, as slack_bolt's
adapters build them: `builtin`, `websocket_client`, `aiohttp`, `websockets`, and the bot's own
choice, `bot` (bot.socket_mode). One `/ofsted rec N` is sent every `--pace` seconds; after every
`--every` acked envelopes the server sends `disconnect` (refresh_requested), as Slack does every
few hours (with `--instant`, a disconnect before each command, sent the same instant). Each
envelope's ack latency is from Slack having it to the ack; "first after" is the first command
sent after each disconnect. Both of Slack's allowed routings are run: "fresh"
(new envelopes go to the new connection) and "draining" (to the old one while it is open).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from bench.workload import percentile
from bot.app import build_app
from bot.devtools.fakeslack import FakeSlack
from bot.devtools.fakesocket import ACK_LIMIT, FakeSocketMode, Route
from bot.devtools.slack_requests import slash_command_fields
from bot.settings import DEFAULT_PLANS_FILE, Settings
from db.database import Database
from db.plan_import import import_plan_file

APP_TOKEN = "xapp-1-A0OFSTED-bench"


class Runner(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


class SyncRunner:
    def __init__(self, handler: Any) -> None:
        self.handler = handler

    def start(self) -> None:
        self.handler.connect()

    def stop(self) -> None:
        self.handler.close()


class AsyncRunner:
    """An asyncio adapter, on its own event loop in a thread (the app stays a sync App)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.handler = self._run(_made(make))

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def start(self) -> None:
        self._run(self.handler.connect_async())

    def stop(self) -> None:
        self._run(self.handler.close_async())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


async def _made(make: Callable[[], Any]) -> Any:
    return make()  # the async clients must be made inside their loop


def runner(name: str, app: Any, settings: Settings) -> Runner:
    from slack_sdk.web.async_client import AsyncWebClient

    def async_client() -> AsyncWebClient:
        return AsyncWebClient(base_url=str(settings.slack_api_url))

    if name == "builtin":
        from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler

        return SyncRunner(SocketModeHandler(app, APP_TOKEN))
    if name == "websocket_client":
        from slack_bolt.adapter.socket_mode.websocket_client import (
            SocketModeHandler as WebSocketClientHandler,
        )

        return SyncRunner(WebSocketClientHandler(app, APP_TOKEN))
    if name == "aiohttp":
        from slack_bolt.adapter.socket_mode.aiohttp import SocketModeHandler as AiohttpHandler

        return AsyncRunner(lambda: AiohttpHandler(app, APP_TOKEN, web_client=async_client()))
    if name == "websockets":
        from slack_bolt.adapter.socket_mode.websockets import (
            SocketModeHandler as WebsocketsHandler,
        )

        return AsyncRunner(lambda: WebsocketsHandler(app, APP_TOKEN, web_client=async_client()))
    if name == "bot":
        from bot.socket_mode import SocketMode

        return SyncRunner(SocketMode(app, APP_TOKEN))
    raise SystemExit(f"unknown adapter {name}")


def missing_library(adapter: str) -> str:
    """The package an adapter needs that is not installed ("" when none is missing)."""
    import importlib.util

    needs = {"websocket_client": ("websocket", "websocket-client")}
    module, package = needs.get(adapter, ("", ""))
    return package if module and importlib.util.find_spec(module) is None else ""


def measure(
    name: str, route: Route, database: Database, url: str, args: argparse.Namespace
) -> dict[str, Any]:
    every = None if args.instant else args.every
    with FakeSlack() as fake, FakeSocketMode(fake, refresh_after=every, route=route) as sock:
        settings = Settings(
            slack_api_url=fake.base_url,
            slack_bot_token="xoxb-bench",  # type: ignore[arg-type]
            slack_app_token=APP_TOKEN,  # type: ignore[arg-type]
            database_url=url,
            plans_file=None,
            log_level="WARNING",
            scheduler=False,
        )
        app = build_app(settings, database)
        run = runner(name, app, settings)
        run.start()
        assert sock.wait_connected(), "the app never connected"
        warm = sock.command(slash_command_fields("rec 1", user_id="U0BENCH", response_url="-"))
        assert sock.wait_acked(warm).acks, "no ack at all"
        for i in range(args.n):
            if args.instant:
                sock.disconnect()
            fields = slash_command_fields(f"rec {1 + i % 5}", user_id="U0BENCH", response_url="-")
            sent = sock.command(fields)
            if args.instant:
                sock.wait_acked(sent, timeout=4)
            time.sleep(args.pace)
        sock.wait_all_acked(timeout=20)
        run.stop()
        measured = [e for e in sock.envelopes if e is not warm]
        links = len(sock.links)
        opens = len(fake.calls_to("apps.connections.open"))
    acked = [e.ack_seconds * 1000 for e in measured if e.ack_seconds is not None]
    firsts = [e.ack_seconds * 1000 for e in measured if e.after_refresh and e.ack_seconds]
    return {
        "p50": percentile(acked, 0.5),
        "p95": percentile(acked, 0.95),
        "max": max(acked, default=0.0),
        "first": firsts,
        "late": sum(1 for e in measured if e.acks and not e.in_time),
        "lost": sum(1 for e in measured if not e.acks),
        "twice": sum(1 for e in measured if len(e.acks) > 1),
        "links": links,
        "opens": opens,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="commands per adapter and routing")
    parser.add_argument("--every", type=int, default=10, help="acked envelopes per refresh")
    parser.add_argument("--pace", type=float, default=0.2, help="seconds between commands")
    parser.add_argument(
        "--adapters", nargs="+", default=["builtin", "websocket_client", "aiohttp", "websockets"]
    )
    parser.add_argument("--routes", nargs="+", default=["fresh", "draining"])
    parser.add_argument(
        "--instant",
        action="store_true",
        help="a disconnect before each command, sent the instant it is (not after --every)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # the clients log every reconnect

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'socket.db'}"
        database = Database.connect(url)
        database.upgrade()
        import_plan_file(database.writes, DEFAULT_PLANS_FILE)
        print(
            f"{args.n} commands, one every {args.pace}s, a disconnect after every {args.every} "
            f"acks; Slack's limit {ACK_LIMIT:.0f} s\n"
            f"{'adapter':<18}{'route':<10}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
            f"  {'first after each refresh (ms)':<34}{'>3s':>4}{'lost':>5}{'2×':>3}{'conns':>6}"
        )
        for name in args.adapters:
            missing = missing_library(name)
            if missing:
                print(f"{name:<18}skipped: `pip install {missing}` to measure it")
                continue
            for route in args.routes:
                r = measure(name, route, database, url, args)
                firsts = " ".join(f"{v:.0f}" for v in r["first"])
                print(
                    f"{name:<18}{route:<10}{r['p50']:>8.0f}{r['p95']:>8.0f}{r['max']:>8.0f}"
                    f"  {firsts:<34}{r['late']:>4}{r['lost']:>5}{r['twice']:>3}"
                    f"{r['links']:>4}/{r['opens']}",
                    flush=True,
                )
        database.dispose()


if __name__ == "__main__":
    main()
