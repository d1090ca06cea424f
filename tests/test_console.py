"""The offline console: the real app, signed requests, the fake Web API, printed as text."""

from __future__ import annotations

import io

from conftest import bot_settings

from bot.console import Console
from bot.fakeslack import FakeSlack
from db.database import Database


def run(db: Database, url: str, fake: FakeSlack, *lines: str, user: str = "U0CP") -> str:
    out = io.StringIO()
    console = Console(bot_settings(url, fake), db, out=out, colour=False, user_id=user)
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
