"""Shared fixtures. Every database test runs on SQLite and on PostgreSQL, but for the modules
marked `one_database` (`pytestmark = pytest.mark.one_database`): those test what Slack sees
(views, limits, parsers, HTTP and event plumbing), not SQL, and run on SQLite alone. Anything
whose outcome could differ by database (queries, locks, concurrency, idempotency, migrations,
read-only sessions, the outbox, what text can be stored) stays on both.

PostgreSQL is at TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test). Each
test gets a schema of its own, dropped afterwards, so tests run in parallel. Where no server
answers the PostgreSQL cases skip with the reason, unless OFSTED_REQUIRE_POSTGRES=1 (set by
.ci/run), which makes them fail instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slackdriver import SECRET, Driver, MovableClock
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app import build_app
from bot.devtools.fakeslack import FakeSlack
from bot.settings import Settings
from db.database import Database
from db.posts import set_post_holder
from jobs.tick import TickReport

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = ROOT.parent / "shared" / "seeds"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"))
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no usable server
        return f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}: {exc}".splitlines()[0]
    return None


_PG_PROBLEM: list[str | None] = []


def postgres_problem() -> str | None:
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_postgres_problem())
    return _PG_PROBLEM[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the PostgreSQL case of tests marked `one_database` (reported as deselected)."""
    dropped = [
        item
        for item in items
        if item.get_closest_marker("one_database")
        and getattr(getattr(item, "callspec", None), "params", {}).get("database_url")
        == "postgresql"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(dropped)
        items[:] = [item for item in items if item not in gone]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    problem = postgres_problem()
    if problem:
        if os.environ.get("OFSTED_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{problem} (OFSTED_REQUIRE_POSTGRES=1)")
        pytest.skip(problem)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_db(database_url: str) -> Iterator[Database]:
    """A migrated database with no plans."""
    database = Database.connect(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def surrey_db(empty_db: Database) -> Database:
    """A migrated database holding the shipped Surrey plans."""
    from db.plan_import import import_plan_file

    import_plan_file(empty_db.writes, ROOT / "plans" / "surrey.yaml")
    return empty_db


# --- Slack: the fake Web API and the app driven by signed requests ---------------------------

NOW = datetime(2022, 9, 5, 8, 0, tzinfo=UTC)  # Monday 5 Sep 2022, 09:00 in London
HOLDERS = {
    "dir-corporate-parenting": "U0CP",
    "dir-family-resilience-safeguarding": "U0FRS",
    "exec-director-cfll": "U0DCS",
    "senior-programmes-manager": "U0SPM",
}


# the shipped plans' board channels, as a fresh install finds them: public, the bot not in them
BOARD_CHANNELS = (
    "achieving-excellence",
    "ofsted-priority-action-board",
    "getting-to-good",
    "stockton-csmg",
)


def add_board_channels(fake: FakeSlack) -> FakeSlack:
    for name in BOARD_CHANNELS:
        fake.add_channel(name, member=False)
    return fake


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield add_board_channels(fake)


def bot_settings(database_url: str, fake: FakeSlack, **extra: object) -> Settings:
    return Settings(
        slack_api_url=fake.base_url,
        slack_bot_token="xoxb-test",  # type: ignore[arg-type]
        slack_signing_secret=SECRET,
        database_url=database_url,  # type: ignore[arg-type]
        plans_file=None,
        admins=("U0ADMIN",),
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def staffed_db(surrey_db: Database) -> Database:
    """Surrey's plans with people in the posts."""
    with surrey_db.writes.begin() as session:
        for post, user in HOLDERS.items():
            set_post_holder(session, post, user)
    return surrey_db


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


@pytest.fixture
def slack(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack, clock: MovableClock
) -> Driver:
    """The Bolt app on Surrey's plans at NOW (the clock can move), talking to the fake Web API."""
    settings = bot_settings(database_url, fake_slack)
    app = build_app(settings, staffed_db, clock=clock)
    return Driver(app, fake_slack)


def run_due_process(url: str, fake: FakeSlack, now: str) -> subprocess.Popen[bytes]:
    """`ofsted-bot jobs run-due --now NOW` as a child process, against the fake Slack."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_API_URL": fake.base_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SEND_INTERVAL": "0",
        "PLANS_FILE": "",
        "LOG_LEVEL": "WARNING",
        "ADMINS": "U0ADMIN",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "jobs", "run-due", "--now", now],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def tick_at(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> Callable[[str], TickReport]:
    """Run the outbox's tick at a UK local time ("2022-10-10T09:00"), against the fake Slack."""
    from bot.app import make_client
    from bot.outbox import tick

    settings = bot_settings(database_url, fake_slack, send_interval=0.0)
    client = make_client(settings)
    tz = settings.tz
    return lambda when: tick(
        staffed_db, client, settings, datetime.fromisoformat(when).replace(tzinfo=tz)
    )
