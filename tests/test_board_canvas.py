"""The board's channel canvas: the standing board pack (summary, decisions, exceptions), kept
in the channel's header by each digest: made once, replaced after, made again if deleted; a
workspace without canvases gets its digest all the same and the admins are told once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from conftest import FIXTURES
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from test_outbox_channels import AEB, NEXT_DIGEST_DAY, alerts, channel_digest
from test_outbox_parts import DIGEST_DAY, FILES, assert_each_part_once, digest_thread, keyed
from test_outbox_timing import Run
from test_outbox_timing import run as run  # the fixture

from bot.devtools.fakeslack import FakeSlack
from bot.devtools.fakeslack_canvases import MARKDOWN_LIMIT
from bot.settings import Settings
from commands.views.canvas import ITEMS, board_canvas
from db.database import Database
from db.models import DeliveryState
from jobs.digest_model import ActionLine, Digest, RecommendationRag

LONDON = Settings().tz


def board_id(fake: FakeSlack) -> str:
    channel = fake.channel(AEB)
    assert channel is not None
    return str(channel["id"])


def files_in_thread(fake: FakeSlack) -> list[str]:
    return sorted(f["name"] for m in digest_thread(fake, AEB)[1:] for f in m.get("files", []))


def alerts_said(fake: FakeSlack) -> list[str]:
    """Each alert an admin got, as its blocks say it in full."""
    return [
        " ".join(str(b.get("text", {}).get("text", "")) for b in m.get("blocks", []))
        for m in fake.messages("U0ADMIN")
    ]


def files_of_each_digest(fake: FakeSlack) -> list[int]:
    """How many files each digest in the board's channel has in its thread."""
    mains = [m for m in fake.messages(AEB) if str(keyed(m) or "").startswith("digest:")]
    return [sum(len(m.get("files", [])) for m in fake.messages(AEB, x["ts"])) for x in mains]


def test_the_digest_makes_the_channel_canvas_with_the_summary_decisions_and_exceptions(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    run(DIGEST_DAY)
    assert channel_digest(staffed_db) == [DeliveryState.SENT]
    canvas = fake_slack.canvas(board_id(fake_slack))
    assert canvas is not None
    assert canvas.title == "Achieving Excellence Board: board pack"
    lines = canvas.markdown.splitlines()
    assert lines[0] == "# Achieving Excellence Board: the latest digest"
    assert "Meeting **Wednesday 12 Oct 2022**" in lines[1]
    for heading in ("## Summary", "## Decisions for the board", "## Exceptions"):
        assert heading in lines
    assert any(line.startswith("| total | ") for line in lines)
    shown = fake_slack.channel(AEB)
    assert shown is not None and shown["properties"]["canvas"]["file_id"] == canvas.canvas_id
    # only the channel's digest keeps a canvas (the secretary's DM has none), after its files
    [create] = fake_slack.calls_to("conversations.canvases.create")
    assert create.args["channel_id"] == board_id(fake_slack)
    assert files_in_thread(fake_slack) == sorted(FILES)
    assert alerts(fake_slack) == []


def test_the_next_digest_replaces_the_canvas_it_does_not_make_a_second(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    run(DIGEST_DAY)
    first = fake_slack.canvas(board_id(fake_slack))
    assert first is not None
    run(NEXT_DIGEST_DAY)
    now = fake_slack.canvas(board_id(fake_slack))
    assert now is not None and now.canvas_id == first.canvas_id and now.edits == 1
    assert len(fake_slack.calls_to("conversations.canvases.create")) == 1
    [edit] = fake_slack.calls_to("canvases.edit")
    [change] = edit.args["changes"]
    assert change["operation"] == "replace" and "section_id" not in change
    assert "Meeting **Wednesday 23 Nov 2022**" in now.markdown
    assert "12 Oct 2022" not in now.markdown.splitlines()[1]


def test_a_canvas_a_member_made_is_kept_and_one_deleted_is_made_again(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    member = WebClient(token="xoxp-member", base_url=fake_slack.base_url)
    theirs = member.conversations_canvases_create(
        channel_id=board_id(fake_slack),
        document_content={"type": "markdown", "markdown": "# Our notes"},
    )["canvas_id"]
    run(DIGEST_DAY)
    kept = fake_slack.canvas(board_id(fake_slack))
    assert kept is not None and kept.canvas_id == theirs and "## Summary" in kept.markdown
    assert len(fake_slack.calls_to("conversations.canvases.create")) == 1  # the member's
    fake_slack.delete_canvas(theirs)
    run(NEXT_DIGEST_DAY)
    again = fake_slack.canvas(board_id(fake_slack))
    assert again is not None and again.canvas_id != theirs and "23 Nov 2022" in again.markdown
    assert channel_digest(staffed_db, "2022-11") == [DeliveryState.SENT]


def test_a_workspace_without_canvases_gets_its_digests_and_the_admins_are_told_once(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.canvases_off("plan")
    run(DIGEST_DAY)
    run(NEXT_DIGEST_DAY)
    assert channel_digest(staffed_db) == [DeliveryState.SENT]
    assert channel_digest(staffed_db, "2022-11") == [DeliveryState.SENT]
    assert files_of_each_digest(fake_slack) == [len(FILES), len(FILES)]
    [alert] = alerts_said(fake_slack)
    assert "channel canvas" in alert and "team_tier_cannot_create_channel_canvases" in alert
    assert "the digest and its files were posted" in alert
    assert fake_slack.canvas(board_id(fake_slack)) is None


def test_an_app_without_the_canvas_scope_is_told_to_reinstall_once(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.canvases_off("scope")
    run(DIGEST_DAY)
    run(NEXT_DIGEST_DAY)
    [alert] = alerts_said(fake_slack)
    assert "missing_scope" in alert and "canvases:write" in alert
    assert channel_digest(staffed_db, "2022-11") == [DeliveryState.SENT]


def test_a_lost_answer_to_the_canvas_edit_is_kept_again_and_nothing_is_posted_twice(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.lose_answer("conversations.canvases.create", "drop")
    run(DIGEST_DAY)
    assert channel_digest(staffed_db) == [DeliveryState.PLANNED]  # in doubt, settling
    run(DIGEST_DAY, seconds=300)
    assert channel_digest(staffed_db) == [DeliveryState.SENT]
    assert_each_part_once(fake_slack, AEB)
    canvas = fake_slack.canvas(board_id(fake_slack))
    assert canvas is not None and canvas.edits == 1  # made (answer lost), then replaced
    assert "## Summary" in canvas.markdown


def line(ref: str, title: str, **how: object) -> ActionLine:
    values: dict[str, Any] = {
        "action_id": int(ref.replace(".", "")), "plan_key": "ilacs-2022",
        "recommendation": ref[0], "ref": ref, "title": title, "owner_post": "hos",
        "owner_user": "U0DIANA", "due": date(2022, 9, 1), "due_original": None,
        "status": "in progress", "rag": "red", "last_update_at": None,
        "last_update_text": None, "owner_name": "Diana Prince",
    }  # fmt: skip
    return ActionLine(**(values | how))


def digest_of(actions: list[ActionLine]) -> Digest:
    return Digest(
        board_key="aeb", board_name="Achieving Excellence Board", meeting=date(2022, 10, 12),
        previous_meeting=date(2022, 8, 31), next_meeting=date(2022, 11, 23),
        generated_at=datetime(2022, 10, 10, 8, tzinfo=UTC), plans=["ilacs-2022"],
        recommendations=[RecommendationRag("ilacs-2022", "1", "Improve", {"red": len(actions)})],
        actions=actions, overdue=actions, chase=actions,
    )  # fmt: skip


def test_typed_text_on_the_canvas_is_text_not_markdown_or_mentions() -> None:
    typed = "# Not a heading ![](@U0ALL) [link](https://x.example) *bold* <!channel> | a"
    _, markdown = board_canvas(digest_of([line("1.1", typed)]), LONDON, date(2022, 10, 10))
    [shown] = {x for x in markdown.splitlines() if "Not a heading" in x}
    assert "\\# Not a heading \\!\\[\\]\\(\\@U0ALL\\)" in shown
    assert "\\[link\\]\\(https\\://x\\.example\\)" in shown and "\\*bold\\*" in shown
    assert "\\<\\!channel\\>" in shown and "Diana Prince" in shown and "U0DIANA" not in markdown
    assert "(overdue by 39 days)" in shown


def test_a_board_of_4000_actions_gets_a_canvas_well_within_slacks_limit() -> None:
    actions = [line(f"{n // 100 + 1}.{n % 100}", "A long title " * 20) for n in range(4000)]
    _, markdown = board_canvas(digest_of(actions), LONDON, date(2022, 10, 10))
    assert len(markdown) < MARKDOWN_LIMIT / 4
    lines = markdown.splitlines()
    red = lines.index("### Red (4000)")
    assert lines[red + ITEMS + 1] == "- and 3975 more: see the board pack in the digest's thread"


def test_the_fakes_canvas_answers_have_slacks_shape(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url)
    channel = board_id(fake_slack)
    made = client.conversations_canvases_create(
        channel_id=channel, document_content={"type": "markdown", "markdown": "x"}
    )
    expected = json.loads((FIXTURES / "slack" / "conversations_canvases_create.json").read_text())
    assert set(made.data) == set(expected) - {"_comment"}  # type: ignore[arg-type]
    info = client.conversations_info(channel=channel)["channel"]["properties"]["canvas"]
    shape = json.loads((FIXTURES / "slack" / "conversations_info_canvas.json").read_text())
    assert set(info) == set(shape["channel"]["properties"]["canvas"])
    with pytest.raises(SlackApiError) as second:
        client.conversations_canvases_create(
            channel_id=channel, document_content={"type": "markdown", "markdown": "y"}
        )
    assert second.value.response["error"] == "channel_canvas_already_exists"
