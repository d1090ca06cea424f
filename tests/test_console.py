"""The offline console: the real app, signed requests, the fake Web API, printed as text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import bot_settings
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.console import Console
from bot.devtools.fakeslack import FakeSlack
from bot.settings import Settings
from db.database import Database
from db.models import Delivery, Update

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)


def run(
    db: Database,
    url: str,
    fake: FakeSlack,
    *lines: str,
    user: str | None = "U0CP",
    own: bool = False,
) -> str:
    """What the console prints for `lines`, as `user` (None: as a newcomer); `own`: the
    console's own database (bot.console_intro)."""
    out = io.StringIO()
    settings = bot_settings(url, fake)
    console = Console(settings, db, out=out, colour=False, user_id=user, own_database=own)
    try:
        console.run(list(lines))
    finally:
        console.close()
    return out.getvalue()


def test_lookups(staffed_db: Database, database_url: str, fake_slack: FakeSlack) -> None:
    out = run(
        staffed_db,
        database_url,
        fake_slack,
        "/ofsted rec 4",
        "/ofsted rec 2018 4",
        "/ofsted action 4.1",
        "/ofsted search supervision",
        "/ofsted mine",
        "/ofsted nonsense",
        ":press 1",
    )
    assert "Recommendation 4\n" in out
    assert "Improve the quality of management oversight" in out
    assert "Action 4.1" in out
    assert "The quality and impact of supervision" in out
    assert "Your actions" in out and "4.1 Reduce delays" in out
    assert "I don't know “nonsense”" in out
    assert "[1 " in out and "Traceback" not in out


def test_an_owner_replies_and_a_stranger_is_refused(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    out = run(
        staffed_db,
        database_url,
        fake_slack,
        "/ofsted action 4.3 share",
        ":reply amber: waiting for HR",
        "/ofsted action 4.3",
        ":user U0STRANGER",
        ":reply red: not mine",
        "/ofsted history 4.3",
    )
    assert "Logged for 4.3" in out and "status on track → at risk" in out
    assert "Latest update → 🟠 Amber, @U0CP" in out and "“waiting for HR”" in out
    assert "Only the Director Corporate Parenting (@U0CP)" in out
    assert out.count("waiting for HR") >= 3 and "not mine" not in out.split("History")[-1]


def test_forms_and_home(staffed_db: Database, database_url: str, fake_slack: FakeSlack) -> None:
    out = run(
        staffed_db,
        database_url,
        fake_slack,
        "/ofsted action 4.1",
        ":press 2",
        ":submit",
        ":fill text Panel dates agreed",
        ":fill rag green",
        ":submit",
        ":home",
    )
    assert "a form opened" in out and "[text] Progress" in out
    assert "✗ text: Say how the action is going." in out
    assert "Logged for 4.1" in out and "🟢 Green" in out
    assert "App Home" in out and "My actions" in out


# --- the console's database (trying the console never touches the bot's own) ----------------


def _count(url: str, model: type[object]) -> int:
    from sqlalchemy import func, select

    database = Database.connect(url)
    try:
        with database.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        database.dispose()


TRY_IT = [
    ":own dir-corporate-parenting",
    "/ofsted update 4.1 green: panel dates agreed",
    ":time 2022-10-05 09:00",
    ":tick",
]


def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")


def test_the_console_keeps_its_own_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _clean_env(monkeypatch, tmp_path)
    assert main(["owners", "set", "dir-corporate-parenting", "U0REAL"]) == 0  # the bot's own
    capsys.readouterr()
    argv = ["console", *(x for line in TRY_IT for x in ("-c", line))]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "Logged for 4.1" in out and "tick at" in out
    assert err.strip().splitlines() == [
        "ofsted-bot: the console keeps its own database, ofsted-bot-console.db, apart from "
        "the bot's (DATABASE_URL names another)"
    ]
    production = f"sqlite:///{tmp_path / 'ofsted-bot.db'}"
    assert _count(production, Update) == 0 and _count(production, Delivery) == 0
    console = f"sqlite:///{tmp_path / 'ofsted-bot-console.db'}"
    assert _count(console, Update) == 1 and _count(console, Delivery) > 0
    # `start` without tokens is the same console, on the same database of its own
    monkeypatch.setattr("sys.stdin", io.StringIO("/ofsted history 4.1\n:quit\n"))
    assert main(["start"]) == 0
    out, err = capsys.readouterr()
    assert "No Slack tokens are set" in out and "panel dates agreed" in out
    assert "ofsted-bot-console.db" in err
    assert _count(production, Update) == 0


def test_the_console_on_an_explicit_database_says_so(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["console", *(x for line in TRY_IT[:2] for x in ("-c", line))]) == 0
    out, err = capsys.readouterr()
    assert "Logged for 4.1" in out
    shown = make_url(database_url).set(drivername=make_url(database_url).get_backend_name())
    assert err.strip().splitlines() == [
        "ofsted-bot: WARNING: the console is using the database DATABASE_URL names, "
        f"{shown.render_as_string(hide_password=True)}: the updates you log and the reminders "
        "you :tick are written there as if real (unset DATABASE_URL to try things on "
        "ofsted-bot-console.db)"
    ]
    assert _count(database_url, Update) == 1
    assert not (tmp_path / "ofsted-bot-console.db").exists()
