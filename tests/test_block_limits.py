"""Slack's Block Kit limits, as checked by bot.devtools.block_limits."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.devtools.block_limits import block_problems, message_problems, view_problems


def section(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, **extra}


def actions(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements), **extra}


def only_problem(problems: list[str], pointer: str) -> str:
    assert len(problems) == 1, problems
    assert problems[0].endswith(f"[json-pointer:{pointer}]"), problems
    return problems[0]


def built_blocks() -> list[dict[str, Any]]:
    """A realistic message built with slack_sdk's own models."""
    blocks = [
        HeaderBlock(text="Improvement plan: week 12"),
        SectionBlock(
            text=MarkdownTextObject(text="*3 actions* are due this week"),
            accessory=ButtonElement(text="Open", action_id="open_plan", value="plan-1"),
        ),
        SectionBlock(fields=[MarkdownTextObject(text=f"*Field {i}*") for i in range(10)]),
        DividerBlock(),
        ActionsBlock(
            elements=[
                ButtonElement(text="Done", action_id="done", value="a1", style="primary"),
                ButtonElement(text="Guide", action_id="guide", url="https://example.org/guide"),
                StaticSelectElement(
                    placeholder="Owner",
                    action_id="owner",
                    options=[Option(text=f"Person {i}", value=f"U{i}") for i in range(3)],
                ),
            ]
        ),
        ContextBlock(elements=[MarkdownTextObject(text="Updated by <@U1>")]),
        ImageBlock(image_url="https://example.org/chart.png", alt_text="Progress chart"),
    ]
    return [block.to_dict() for block in blocks]


def test_blocks_built_with_slack_sdk_are_valid_everywhere() -> None:
    blocks = built_blocks()
    assert block_problems(blocks) == []
    assert block_problems(blocks, surface="modal") == []
    assert block_problems(blocks, surface="home") == []
    assert message_problems({"text": "fallback", "blocks": blocks}) == []


def test_a_modal_built_with_slack_sdk_is_valid() -> None:
    element = PlainTextInputElement(action_id="note", multiline=True)
    view = {
        "type": "modal",
        "callback_id": "add_note",
        "title": PlainTextObject(text="Add a note").to_dict(),
        "submit": PlainTextObject(text="Save").to_dict(),
        "blocks": [InputBlock(label="Note", element=element, block_id="note").to_dict()],
    }
    assert view_problems(view) == []


@pytest.mark.parametrize(("surface", "limit"), [("message", 50), ("modal", 100), ("home", 100)])
def test_block_count_limit_per_surface(surface: Any, limit: int) -> None:
    assert block_problems([section()] * limit, surface=surface) == []
    problem = only_problem(block_problems([section()] * (limit + 1), surface=surface), "/blocks")
    assert f"no more than {limit} items" in problem


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        (section("x" * 3001), "/blocks/0/text/text"),
        (
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11},
            "/blocks/0/fields",
        ),
        (
            {"type": "section", "fields": [{"type": "plain_text", "text": "f" * 2001}]},
            "/blocks/0/fields/0/text",
        ),
        ({"type": "section"}, "/blocks/0"),
        ({"type": "section", "text": {"type": "markdown", "text": "x"}}, "/blocks/0/text/type"),
        (section(""), "/blocks/0/text/text"),
        (
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            "/blocks/0/text/text",
        ),
        ({"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}, "/blocks/0/text/type"),
        (
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
            "/blocks/0/elements",
        ),
        (actions(*[button(action_id=f"b{i}") for i in range(26)]), "/blocks/0/elements"),
        (actions(button("b" * 76)), "/blocks/0/elements/0/text/text"),
        (actions(button(value="v" * 2001)), "/blocks/0/elements/0/value"),
        (actions(button(url="https://x.org/" + "u" * 2990)), "/blocks/0/elements/0/url"),
        (actions(button(action_id="a" * 256)), "/blocks/0/elements/0/action_id"),
        (
            actions(button(action_id="same"), button(action_id="same")),
            "/blocks/0/elements/1/action_id",
        ),
        (section(accessory=button("b" * 80)), "/blocks/0/accessory/text/text"),
        (section(block_id="b" * 256), "/blocks/0/block_id"),
        ({"type": "carousel"}, "/blocks/0/type"),
        ({"type": "image", "image_url": "https://x.org/a.png"}, "/blocks/0/alt_text"),
        ({"type": "input", "label": {"type": "plain_text", "text": "L"}}, "/blocks/0/element"),
        ({"type": "markdown", "text": "m" * 12_001}, "/blocks/0/text"),
        ("not a block", "/blocks/0"),
    ],
)
def test_each_limit_is_reported_with_its_pointer(block: Any, pointer: str) -> None:
    only_problem(block_problems([block]), pointer)


def test_limits_are_inclusive() -> None:
    blocks = [
        section("x" * 3000, block_id="b" * 255),
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        actions(
            *[button(action_id=f"b{i}") for i in range(24)],
            button("b" * 75, value="v" * 2000, url="u" * 3000, action_id="a" * 255),
        ),
        {"type": "context", "elements": [{"type": "plain_text", "text": "c"}] * 10},
    ]
    assert block_problems(blocks) == []


def test_action_ids_need_only_be_unique_within_their_block() -> None:
    # Slack: "unique among all other action_ids in the containing block".
    blocks = [section("one", accessory=button(action_id="done")), actions(button(action_id="done"))]
    assert block_problems(blocks) == []


def test_block_ids_must_be_unique_in_a_message() -> None:
    blocks = [section(block_id="row"), section(block_id="row")]
    assert "duplicate block_id" in only_problem(block_problems(blocks), "/blocks/1/block_id")


def test_markdown_blocks_share_one_12000_character_budget() -> None:
    blocks = [{"type": "markdown", "text": "m" * 7000}] * 2
    assert "in total" in only_problem(block_problems(blocks), "/blocks")


def test_file_blocks_are_for_messages_only() -> None:
    file_block = {"type": "file", "external_id": "doc", "source": "remote"}
    assert block_problems([file_block]) == []
    only_problem(block_problems([file_block], surface="modal"), "/blocks/0/type")


def test_problems_are_reported_all_at_once() -> None:
    blocks = [section("x" * 3001), actions(button("b" * 80))] + [section()] * 49
    assert len(block_problems(blocks)) == 3


def test_message_text_limit_is_40000() -> None:
    assert message_problems({"text": "t" * 40_000}) == []
    only_problem(message_problems({"text": "t" * 40_001}), "/text")


def test_a_message_needs_text_blocks_or_attachments() -> None:
    only_problem(message_problems({"channel": "C1"}), "")
    only_problem(message_problems({"text": ""}), "")
    assert message_problems({"blocks": [section()]}) == []
    assert message_problems({"attachments": [{"text": "legacy"}]}) == []
    # response_url deletions carry no content
    assert message_problems({"delete_original": True}) == []


def test_message_problems_include_block_problems() -> None:
    problems = message_problems({"text": "fallback", "blocks": [section("x" * 3001)]})
    only_problem(problems, "/blocks/0/text/text")
    only_problem(message_problems({"text": "t", "blocks": "[]"}), "/blocks")


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (
            {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []},
            "/view/title/text",
        ),
        (
            {
                "type": "modal",
                "title": {"type": "plain_text", "text": "Note"},
                "blocks": [
                    {
                        "type": "input",
                        "label": {"type": "plain_text", "text": "Note"},
                        "element": {"type": "plain_text_input", "action_id": "note"},
                    }
                ],
            },
            "/view/submit",
        ),
        ({"type": "home", "blocks": [section()] * 101}, "/view/blocks"),
        (
            {"type": "home", "blocks": [section()], "private_metadata": "m" * 3001},
            "/view/private_metadata",
        ),
        ({"type": "dialog", "blocks": []}, "/view/type"),
    ],
)
def test_view_problems(view: dict[str, Any], pointer: str) -> None:
    only_problem(view_problems(view), pointer)


def test_home_tab_allows_100_blocks_without_title() -> None:
    assert view_problems({"type": "home", "blocks": [section()] * 100}) == []
