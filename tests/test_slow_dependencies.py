"""Slack rate-limiting and PostgreSQL not answering.

With Bolt's own threads (bot.lanes), twenty confirmations waiting out a 429 `Retry-After: 20`
do not keep the next *Update* press from reaching `views.open` (a trigger id lives 3 s), nor the
Home tab from being drawn; the confirmations are posted once each when the wait is over.
With PostgreSQL behind a network that goes silent (tests/blackhole.py), a lookup, an update and
/healthz answer, saying the database is not answering, and nothing is stored (db.deadline).

The waits here are bounds on how long a test waits before it calls the old behaviour held, not
timings: the old code held the form for 20 s and more, and a request on a silent network for
as long as the network stayed silent.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import bot_settings
from httpserver import serving
from slack_bolt import App, BoltRequest
from slackdriver import SECRET, Driver, MovableClock, fixture, interaction_body, press_body
from sqlalchemy.engine import make_url
from test_updates import updates_of

from bot.app import build_app
from bot.devtools.blackhole import Blackhole
from bot.devtools.fakeslack import FakeSlack
from bot.devtools.slack_requests import signed_headers
from bot.http import build_asgi
from db.database import Database

WAIT = 10.0
CONFIRMATIONS = 20
BUSY = 16  # confirmations waiting before the press: as many as the old pool had threads


def eventually(condition: Callable[[], bool], wait: float = WAIT) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def dispatch(app: App, body: str) -> int:
    return app.dispatch(BoltRequest(body=body, headers=signed_headers(SECRET, body))).status


def submission(modal: dict[str, Any], text: str) -> str:
    payload = fixture("view_submission.json")
    payload["view"].update(
        id=modal["id"],
        blocks=modal["blocks"],
        callback_id=modal["callback_id"],
        private_metadata=modal["private_metadata"],
        state={
            "values": {
                "status": {
                    "value": {"type": "static_select", "selected_option": {"value": "on track"}}
                },
                "text": {"value": {"type": "plain_text_input", "value": text}},
            }
        },
    )
    return interaction_body(payload)


@pytest.fixture
def storm(
    staffed_db: Database, database_url: str, clock: MovableClock
) -> Iterator[tuple[App, FakeSlack, dict[str, Any], dict[str, Any]]]:
    """The app with Bolt's own threads, its Update button and form, and Slack answering every
    chat.postMessage of the next CONFIRMATIONS with 429 Retry-After: 20."""
    with FakeSlack() as fake:
        app = build_app(bot_settings(database_url, fake), staffed_db, clock=clock)
        own = app.listener_runner.lazy_listener_runner
        button, modal = update_form(app, fake)
        fake.fail_next("chat.postMessage", status=429, retry_after=20, times=CONFIRMATIONS)
        try:
            yield app, fake, button, modal
        finally:
            getattr(own, "shutdown", lambda: None)()  # the waits end: nothing outlives the test


def update_form(app: App, fake: FakeSlack) -> tuple[dict[str, Any], dict[str, Any]]:
    """Action 4.1's Update button and the form it opens (the app keeps Bolt's own threads)."""
    own = app.listener_runner.lazy_listener_runner
    driver = Driver(app, fake)
    button = driver.command("action 4.1", user="U0CP").button("Update")
    driver.press(button, user="U0CP")
    modal = driver.opened_view()
    app.listener_runner.lazy_listener_runner = own
    fake.clear()
    return button, modal


def confirmations_waiting(app: App, fake: FakeSlack, modal: dict[str, Any], wait: float) -> bool:
    """Submit CONFIRMATIONS forms; have BUSY of their confirmations had a 429 within `wait`?"""
    for n in range(CONFIRMATIONS):
        assert dispatch(app, submission(modal, f"Panel capacity, week {n}")) == 200
    return eventually(lambda: len(fake.calls_to("chat.postMessage")) >= BUSY, wait)


def test_a_form_opens_while_confirmations_wait_out_a_429(
    storm: tuple[App, FakeSlack, dict[str, Any], dict[str, Any]],
) -> None:
    app, fake, button, modal = storm
    assert confirmations_waiting(app, fake, modal, WAIT)
    # BUSY confirmations at least have had their 429 and wait 20 s; now someone presses Update
    body = press_body(button, user="U0CP", channel="C0PRACTICE", response_url=fake.response_url())
    assert dispatch(app, body) == 200
    assert eventually(lambda: len(fake.calls_to("views.open")) == 1)
    assert {call.status for call in fake.calls_to("chat.postMessage")} == {429}  # still waiting


def test_the_home_tab_is_drawn_while_confirmations_wait_out_a_429(
    storm: tuple[App, FakeSlack, dict[str, Any], dict[str, Any]],
) -> None:
    app, fake, _, modal = storm
    assert confirmations_waiting(app, fake, modal, WAIT)
    home = fixture("app_home_opened.json")
    home["event"]["user"] = "U0CP"
    home["event_id"] = "Ev0HOMESTORM"
    body = json.dumps(home)
    request = BoltRequest(
        body=body, headers=signed_headers(SECRET, body, content_type="application/json")
    )
    assert app.dispatch(request).status == 200
    assert eventually(lambda: len(fake.calls_to("views.publish")) == 1)


def test_confirmations_rate_limited_are_each_posted_once_when_the_wait_is_over(
    storm: tuple[App, FakeSlack, dict[str, Any], dict[str, Any]],
) -> None:
    app, fake, _, modal = storm
    fake.clear()
    fake.fail_next("chat.postMessage", status=429, retry_after=1, times=CONFIRMATIONS // 4)
    for n in range(CONFIRMATIONS):
        assert dispatch(app, submission(modal, f"Panel capacity, week {n}")) == 200
    posted = lambda: [c for c in fake.calls_to("chat.postMessage") if c.status == 200]  # noqa: E731
    assert eventually(lambda: len(posted()) == CONFIRMATIONS, wait=30)
    shown = [json.dumps(call.args["blocks"]) for call in posted()]
    assert all(any(f"week {n}" in one for one in shown) for n in range(CONFIRMATIONS)), shown


# --- PostgreSQL behind a network that goes silent ---------------------------------------------


@pytest.fixture
def silent_postgres(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack, clock: MovableClock
) -> Iterator[tuple[Driver, Blackhole, Database]]:
    """The app on Surrey's plans, reaching PostgreSQL through a proxy the test can silence."""
    if staffed_db.engine.dialect.name != "postgresql":
        pytest.skip("a silent network between the bot and PostgreSQL (SQLite is a local file)")
    upstream = make_url(database_url)
    with Blackhole((upstream.host or "127.0.0.1", upstream.port or 5432)) as hole:
        proxied = upstream.set(host="127.0.0.1", port=hole.port)
        database = Database.connect(proxied.render_as_string(hide_password=False))
        requests = database.for_requests()
        settings = bot_settings(database_url, fake_slack)
        driver = Driver(build_app(settings, requests, clock=clock), fake_slack)
        yield driver, hole, requests
    requests.dispose()
    database.dispose()


def in_a_thread(work: Callable[[], Any]) -> Any:
    """What `work` returns, or "held" if it has not returned within WAIT."""
    done: list[Any] = []
    thread = threading.Thread(target=lambda: done.append(work()), daemon=True)
    thread.start()
    thread.join(WAIT)
    return done[0] if done else "held"


def test_with_postgresql_silent_a_lookup_says_the_database_is_not_answering(
    silent_postgres: tuple[Driver, Blackhole, Database],
) -> None:
    driver, hole, _ = silent_postgres
    assert "4.1" in driver.command("rec 4").text  # through the proxy while it forwards
    hole.silence()
    for text in ("rec 4", "action 4.1"):  # the pooled connection, then a new one
        answer = in_a_thread(lambda text=text: driver.command(text).text)
        assert answer != "held", text
        assert "database is not answering" in answer


def test_with_postgresql_silent_an_update_is_refused_and_not_stored(
    silent_postgres: tuple[Driver, Blackhole, Database], staffed_db: Database
) -> None:
    driver, hole, _ = silent_postgres
    driver.command("rec 4", user="U0CP")
    hole.silence()
    answer = in_a_thread(
        lambda: driver.command("update 4.1 amber: sent into the void", user="U0CP")
    )
    assert answer != "held"
    assert "database is not answering" in answer.text
    hole.__exit__(None, None, None)  # the proxy's connections close: the server rolls back
    assert "sent into the void" not in [u.text for u in updates_of(staffed_db, "4.1")]


def test_with_postgresql_silent_healthz_says_503(
    silent_postgres: tuple[Driver, Blackhole, Database], fake_slack: FakeSlack, database_url: str
) -> None:
    driver, hole, requests = silent_postgres
    asgi = build_asgi(driver.app, requests, bot_settings(database_url, fake_slack))
    with serving(asgi) as url:
        assert urllib.request.urlopen(f"{url}/healthz", timeout=WAIT).status == 200
        hole.silence()
        try:
            status = urllib.request.urlopen(f"{url}/healthz", timeout=WAIT).status
        except urllib.error.HTTPError as error:
            status = error.code
    assert status == 503
