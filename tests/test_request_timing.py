"""Every request's handling time is logged, and it is the real time (it was 0.0 ms for all:
Bolt's global middleware `next()` only marks the chain to go on, so timing around it measured
nothing). The work a lazy listener does after the ack is timed too."""

from __future__ import annotations

import logging
import re

import pytest
from conftest import bot_settings
from slackdriver import Driver

from bot.app import build_app
from bot.devtools.fakeslack import FakeSlack
from db.database import Database

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)


def test_the_handling_time_is_measured(
    staffed_db: Database,
    database_url: str,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # before the app is built: Bolt's loggers copy the level
    slack = Driver(build_app(bot_settings(database_url, fake_slack), staffed_db), fake_slack)
    fake_slack.fail_next("views.publish", status=429, retry_after=1)  # Slack makes it wait
    slack.event("app_home_opened.json", user="U0CP")
    slack.command("rec 4")
    times = re.findall(r"(\S+)(?: \(after the ack\))? handled in ([0-9.]+) ms", caplog.text)
    assert {kind for kind, _ in times} >= {"app_home_opened", "/ofsted"}, caplog.text
    assert all(float(ms) > 0 for _, ms in times), times
