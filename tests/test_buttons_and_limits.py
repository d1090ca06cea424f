"""Buttons (share, more, history, suggestions), long texts and lists, and arbitrary input:
every answer stays within Slack's limits (the fake Web API and the driver both check)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slackdriver import Driver

from bot.devtools.block_limits import message_problems
from db.database import Database
from db.plan_import import import_plan_file

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)

LONG_TEXT = " ".join(["Improve the timeliness and quality of assessments for every child,"] * 60)


@pytest.fixture
def big_plan(staffed_db: Database, tmp_path: Path) -> str:
    """A plan with a 3,900-character recommendation and one with 23 actions."""
    plan: dict[str, Any] = {
        "council": "Testshire County Council",
        "posts": [{"key": "head-of-service", "title": "Head of Service", "holder": "U0HOS"}],
        "plans": [
            {
                "key": "big-2024",
                "title": "A big plan",
                "kind": "inspection",
                "body": "Ofsted",
                "recommendations": [
                    {"number": "1", "text": LONG_TEXT},
                    {
                        "number": "2",
                        "text": "Many actions.",
                        "actions": [
                            {
                                "ref": f"2.{i}",
                                "title": f"Step {i} <!channel> & more",
                                "owner": "head-of-service",
                                "due": "2024-01-31",
                            }
                            for i in range(1, 24)
                        ],
                    },
                ],
            }
        ],
    }
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(plan))
    import_plan_file(staffed_db.writes, path)
    return "big-2024"


def test_long_text_is_cut_with_a_way_to_see_the_rest(slack: Driver, big_plan: str) -> None:
    answer = slack.command(f"rec {big_plan} 1")
    quote = next(b for b in answer.message["blocks"] if b["type"] == "section")
    assert len(quote["text"]["text"]) <= 3000
    assert "…" in quote["text"]["text"]
    full = slack.press(answer.button("Show the full text"))
    sections = [b["text"]["text"] for b in full.message["blocks"] if b["type"] == "section"]
    assert all(len(s) <= 3000 for s in sections)
    assert " ".join(" ".join(sections).split()) == " ".join(LONG_TEXT.split())


def test_long_lists_page_with_more(slack: Driver, big_plan: str) -> None:
    first = slack.command(f"rec {big_plan} 2", user="U0HOS")
    assert len(first.message["blocks"]) <= 50
    assert "*2.1*" in first.text and "*2.10*" in first.text and "*2.11*" not in first.text
    second = slack.press(first.button("More"), user="U0HOS")
    assert second.status == 200
    page = second.later[-1]
    assert page.method == "response_url" and page.args["replace_original"] is True
    assert "*2.11*" in second.text and "*2.20*" in second.text
    third = slack.press(second.button("More"), user="U0HOS")
    assert "*2.23*" in third.text
    assert all(not b["text"]["text"].startswith("More") for b in third.buttons())
    # the titles' <!channel> is shown escaped on every page
    assert "<!channel>" not in third.text and "&lt;!channel&gt;" in third.text


def test_share_posts_in_the_channel(slack: Driver) -> None:
    answer = slack.command("rec 4", channel="C0BOARD")
    shared = slack.press(answer.button("Share in channel"), channel="C0BOARD")
    posts = [c for c in shared.later if c.method == "chat.postMessage"]
    assert len(posts) == 1
    assert posts[0].args["channel"] == "C0BOARD"
    assert "shared by <@U0PRACT>" in posts[0].args["text"]
    blocks = json.dumps(posts[0].args["blocks"])
    assert "The sufficiency of suitable accommodation" in blocks
    assert "ofsted_update" not in blocks and "ofsted_share" not in blocks  # no private buttons
    assert "<@U0CP>" not in blocks  # sharing does not ping the owners


def test_share_falls_back_when_the_bot_is_not_in_the_channel(slack: Driver) -> None:
    answer = slack.command("rec 4")
    slack.fake.fail_next("chat.postMessage", error="not_in_channel")
    shared = slack.press(answer.button("Share in channel"))
    responses = [c.args for c in shared.later if c.method == "response_url"]
    assert [r["response_type"] for r in responses][-2:] == ["in_channel", "ephemeral"]
    assert "/invite @ofsted" in responses[-1]["text"]


def test_share_suffix_on_the_command(slack: Driver) -> None:
    answer = slack.command("rec 4 share", channel="C0BOARD")
    assert answer.status == 200
    assert [c.args["channel"] for c in answer.later if c.method == "chat.postMessage"] == [
        "C0BOARD"
    ]


def test_history_button(slack: Driver) -> None:
    answer = slack.command("rec 4")
    history = slack.press(answer.buttons()[0])
    assert "History of action 4.1" in history.text
    assert history.later[-1].args.get("replace_original") is False


def test_stale_button_value_gets_a_friendly_answer(slack: Driver) -> None:
    broken = {
        "action_id": "ofsted_run:0",
        "text": {"type": "plain_text", "text": "Old"},
        "value": "not json",
    }
    answer = slack.press(broken)
    assert answer.status == 200
    assert "out of date" in answer.text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.lists(
            st.sampled_from(
                [
                    "rec",
                    "action",
                    "owner",
                    "search",
                    "board",
                    "help",
                    "mine",
                    "overdue",
                    "plans",
                    "2018",
                    "4",
                    "4.2",
                    "a",
                    "share",
                    "<!channel>",
                    "<@U1>",
                    "cwd",
                    "9999",
                    "&",
                    "history",
                    "ilacs-2022",
                    "é",
                ]
            ),
            max_size=5,
        ).map(" ".join),
    )
)
def test_any_text_gets_a_reply_within_limits(slack: Driver, text: str) -> None:
    answer = slack.command(text)
    assert answer.status == 200
    assert answer.messages, "every command gets an answer"
    for message in answer.messages:
        assert message_problems(message) == []
        assert "Traceback" not in json.dumps(message)


def test_web_api_calls_wait_out_rate_limits_and_retry_server_errors(slack: Driver) -> None:
    answer = slack.command("rec 4", channel="C0BOARD")
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    slack.fake.fail_next("chat.postMessage", status=500)
    shared = slack.press(answer.button("Share in channel"), channel="C0BOARD")
    posts = [c for c in shared.later if c.method == "chat.postMessage"]
    assert [c.status for c in posts] == [429, 500, 200]
    assert posts[0].response.get("error") == "ratelimited"
