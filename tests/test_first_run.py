"""An honest first run: the console and App Home say once that the shipped plans are
illustrative and how to load your own; the console's clock starts inside the plan's life; a
card says how long an action is overdue; *Sign off* only for who may sign off."""

from __future__ import annotations

import json
import logging
import re

import pytest
from slackdriver import Driver
from test_console import run

from bot.devtools.fakeslack import FakeSlack
from db.database import Database


def console(db: Database, url: str, fake: FakeSlack, *lines: str, own: bool = True) -> str:
    """A newcomer's console (nobody named with --user)."""
    return run(db, url, fake, *lines, user=None, own=own)


def test_a_newcomers_first_rec_4_and_mine_read_as_a_living_plan(
    surrey_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    out = console(surrey_db, database_url, fake_slack, "/ofsted rec 4", "/ofsted mine")
    intro, _, answers = out.partition("\n> /ofsted rec 4")
    assert out.count("These plans are illustrative") == 1 and "plans are illustrative" in intro
    assert (
        "`ofsted-bot plan draft REPORT.pdf`" in intro and "`ofsted-bot plan import FILE`" in intro
    )
    assert "clock starts at Friday 1 Jul 2022 09:00" in intro and "`:time now`" in intro
    assert "you hold the post Director Corporate Parenting" in intro
    rec, _, mine = answers.partition("> /ofsted mine")
    assert "overdue" not in rec and "nobody yet" not in rec
    assert "Owner: @You · Director Corporate Parenting" in rec and "Update]" in rec
    assert "Your actions" in mine and "7 actions" in mine and "overdue" not in mine


def test_starting_warns_of_nothing_that_is_not_wrong(
    surrey_db: Database,
    database_url: str,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Bolt's "`token` … will be ignored" (authorize is given) is not said: the token is used,
    by bot.authorize, and a newcomer with no tokens at all was left wondering which."""
    with caplog.at_level(logging.WARNING):
        console(surrey_db, database_url, fake_slack, "/ofsted rec 4")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_back_to_today_cards_say_how_long_overdue(
    surrey_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    out = console(surrey_db, database_url, fake_slack, ":time now", "/ofsted action 4.3")
    assert "real time again" in out
    assert re.search(r"🟢 Green · on track · due 28 Feb 2023 · ⚠️ overdue by \d+ years", out)


def test_on_a_database_named_by_database_url_nothing_is_changed(
    surrey_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    out = console(surrey_db, database_url, fake_slack, "/ofsted mine", own=False)
    assert out.count("These plans are illustrative") == 1
    assert "clock starts" not in out and "you hold the post" not in out
    assert "You don't hold or cover a post" in out


def test_app_home_says_once_that_the_data_is_illustrative(slack: Driver) -> None:
    slack.event("app_home_opened.json", user="U0CP")
    view = json.dumps(slack.fake.calls_to("views.publish")[-1].args["view"])
    assert view.count("These plans are illustrative") == 1 and "plan import" in view


def test_sign_off_only_for_who_may_sign_off(slack: Driver, staffed_db: Database) -> None:
    slack.command("update 4.2 done: both managers started, see the HR report", user="U0CP")
    labels = {
        user: [b["text"]["text"] for b in slack.command("action 4.2", user=user).buttons()]
        for user in ("U0PRACT", "U0CP", "U0SPM", "U0ADMIN")
    }
    assert "complete" in slack.command("action 4.2", user="U0PRACT").text
    assert "Sign off" not in labels["U0PRACT"] and "Sign off" not in labels["U0CP"]
    # on a card, only an admin who does not own it (commands.views.actions.may_sign_off); the
    # secretary signs off from their digest, where the buttons are theirs
    assert "Sign off" not in labels["U0SPM"] and "Sign off" in labels["U0ADMIN"]
    for user, shown in (("U0PRACT", False), ("U0SPM", True)):  # the digest preview too
        preview = json.dumps(slack.command("digest aeb", user=user).messages)
        assert "awaiting sign-off" in preview.lower()
        assert ('"Sign off"' in preview) is shown
