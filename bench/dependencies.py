"""Slow or broken dependencies (issue 15): time to a form under a 429 storm, time to an answer
with PostgreSQL behind a network gone silent.

1. Storm: the app with Bolt's own threads against the fake Slack; 20 update forms
   are submitted while Slack answers their confirmations' chat.postMessage with 429
   `Retry-After: 20`; then *Update* is pressed: the seconds until `views.open` reaches Slack.
2. Silent PostgreSQL: the app reaches PostgreSQL through bot.devtools.blackhole, which then
   stops forwarding; the seconds until `/ofsted rec 4` is answered (pooled connection, then a
   new one), and until `/healthz` answers (over HTTP). --give-up bounds each wait.

    .venv/bin/python bench/dependencies.py [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from slack_bolt import BoltRequest  # noqa: E402
from slackdriver import SECRET, Driver, MovableClock, press_body  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from test_slow_dependencies import CONFIRMATIONS, confirmations_waiting, update_form  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.devtools.blackhole import Blackhole  # noqa: E402
from bot.devtools.fakeslack import FakeSlack  # noqa: E402
from bot.devtools.slack_requests import signed_headers  # noqa: E402
from bot.http import build_asgi  # noqa: E402
from bot.settings import Settings  # noqa: E402
from db.database import Database  # noqa: E402
from db.plan_import import import_plan_file  # noqa: E402


def prepared(url: str) -> Database:
    from conftest import HOLDERS

    from db.posts import set_post_holder

    database = Database.connect(url)
    database.upgrade()
    import_plan_file(database.writes, ROOT / "plans" / "surrey.yaml")
    with database.writes.begin() as session:
        for post, user in HOLDERS.items():
            set_post_holder(session, post, user)
    return database


def settings(url: str, fake: FakeSlack) -> Settings:
    from conftest import bot_settings

    return bot_settings(url, fake)


def waited(condition: Callable[[], bool], give_up: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < give_up:
        if condition():
            return time.monotonic() - started
        time.sleep(0.01)
    return None


def shown(seconds: float | None, give_up: float) -> str:
    return f"{seconds:.2f} s" if seconds is not None else f"no answer in {give_up:.0f} s"


def storm(give_up: float) -> None:
    from conftest import NOW

    with tempfile.TemporaryDirectory() as folder, FakeSlack() as fake:
        url = f"sqlite:///{folder}/storm.db"
        database = prepared(url)
        app = build_app(settings(url, fake), database, clock=MovableClock(NOW))
        own = app.listener_runner.lazy_listener_runner
        button, modal = update_form(app, fake)
        fake.fail_next("chat.postMessage", status=429, retry_after=20, times=CONFIRMATIONS)
        confirmations_waiting(app, fake, modal, give_up)
        body = press_body(
            button, user="U0CP", channel="C0PRACTICE", response_url=fake.response_url()
        )
        app.dispatch(BoltRequest(body=body, headers=signed_headers(SECRET, body)))
        took = waited(lambda: bool(fake.calls_to("views.open")), give_up)
        print(
            "429 storm (20 confirmations waiting 20 s): Update -> views.open in "
            f"{shown(took, give_up)}"
        )
        getattr(own, "shutdown", lambda: None)()


def timed(work: Callable[[], Any], give_up: float) -> tuple[float | None, Any]:
    done: list[Any] = []
    threading.Thread(target=lambda: done.append(work()), daemon=True).start()
    took = waited(lambda: bool(done), give_up)
    return took, (done[0] if done else None)


def silent_postgres(postgres: str, give_up: float) -> None:
    from conftest import NOW
    from httpserver import serving

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(postgres).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        prepared(base.render_as_string(hide_password=False)).dispose()
        with FakeSlack() as fake, Blackhole((base.host or "127.0.0.1", base.port or 5432)) as hole:
            url = base.set(host="127.0.0.1", port=hole.port).render_as_string(hide_password=False)
            database = Database.connect(url)
            requests = getattr(database, "for_requests", lambda: database)()
            app = build_app(settings(url, fake), requests, clock=MovableClock(NOW))
            driver = Driver(app, fake)
            driver.command("rec 4")
            with serving(build_asgi(app, requests, settings(url, fake))) as served:
                urllib.request.urlopen(f"{served}/healthz", timeout=give_up)
                hole.silence()
                for what in ("pooled connection", "new connection"):
                    took, answer = timed(lambda: driver.command("rec 4").text, give_up)
                    said = repr((answer or "")[:60])
                    print(
                        f"silent PostgreSQL, /ofsted rec 4 ({what}): {shown(took, give_up)} {said}"
                    )
                took, status = timed(lambda: health(served, give_up), give_up)
                print(f"silent PostgreSQL, /healthz: {shown(took, give_up)} (status {status})")
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def health(url: str, give_up: float) -> int:
    try:
        return int(urllib.request.urlopen(f"{url}/healthz", timeout=give_up).status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--give-up", type=float, default=30.0)
    parser.add_argument("--part", choices=["storm", "postgres", "both"], default="both")
    args = parser.parse_args()
    if args.part != "postgres":
        storm(args.give_up)
    if args.part != "storm":
        silent_postgres(args.postgres, args.give_up)
    sys.stdout.flush()
    os._exit(0)  # the old code's threads still wait out their 429s, or hang on the silence


if __name__ == "__main__":
    main()
