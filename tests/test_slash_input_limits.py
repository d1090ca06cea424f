"""User text that must not break an answer: a mass ping in help, a search past Slack's limits.

Driven as Slack drives the app: signed slash commands through the real Bolt app.
"""

from __future__ import annotations

import pytest
from slackdriver import Driver

from bot.devtools.block_limits import MAX_BUTTON_VALUE

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)


@pytest.mark.parametrize("typed", ["<!channel>", "<!here|here>", "<@U0CP>", "<!subteam^S1>"])
def test_help_on_an_unknown_topic_never_pings(slack: Driver, typed: str) -> None:
    answer = slack.command(f"help {typed}")
    assert answer.status == 200
    shown = answer.text
    assert "There is no" in shown
    assert typed not in shown and typed.lower() not in shown
    assert "&lt;" in shown
    # the notification text is escaped once, like the blocks: not "&amp;lt;"
    notification = answer.message["text"]
    assert "&lt;" in notification and "&amp;lt;" not in notification


def test_a_search_over_two_thousand_characters_is_answered(slack: Driver) -> None:
    query = "supervision " * 200  # 2,400 characters
    answer = slack.command(f"search {query}")
    assert answer.status == 200
    assert "went wrong" not in answer.text and "error id" not in answer.text
    assert "too long" in answer.text


def test_the_longest_search_allowed_still_pages_and_shares(slack: Driver) -> None:
    # non-ASCII text takes up to 12 characters a letter in a button's JSON value
    query = "supervision children plans " + "😀" * 120
    answer = slack.command(f"search {query}")
    assert answer.status == 200 and "went wrong" not in answer.text
    more = answer.button("More")
    assert len(more["value"]) <= MAX_BUTTON_VALUE
    assert len(answer.button("Share")["value"]) <= MAX_BUTTON_VALUE
    page_two = slack.press(more)
    assert page_two.status == 200 and "went wrong" not in page_two.text
