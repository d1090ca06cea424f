"""Board channels as Slack has them: named in the plan, posted to by id (resolved once, from
every page of conversations.list, and kept across renames); joined before a digest (Slack
refuses files in a channel the bot is not in, and sends no events of replies there); a
private channel the bot was not invited to, or a name that is gone, is an admin alert."""

from __future__ import annotations

from typing import Any

import pytest
from slackdriver import Driver
from test_outbox_parts import DIGEST_DAY, FILES, deliveries, digest_thread
from test_outbox_timing import Run
from test_outbox_timing import run as run  # the fixture

from bot.devtools.fakeslack import FakeSlack
from db.database import Database
from db.models import DeliveryState

AEB = "#achieving-excellence"
NEXT_DIGEST_DAY = "2022-11-21T09:00"  # the AEB meets on Wed 23 Nov 2022


def channel_digest(db: Database, when: str = "2022-10") -> list[DeliveryState]:
    return [
        d.state
        for d in deliveries(db, "digest")
        if d.recipient == AEB and d.due_at.isoformat().startswith(when)
    ]


def rename_away(fake: FakeSlack, to: str) -> None:
    """The board's channel renamed in Slack: the plan's name is free (or taken by another)."""
    channel = fake.channel(AEB)
    assert channel is not None
    fake.rename_channel(str(channel["id"]), to)


def alerts(fake: FakeSlack) -> list[str]:
    return [str(m["text"]) for m in fake.messages("U0ADMIN")]


def test_a_digest_in_a_public_channel_the_bot_has_not_joined_gets_all_its_parts(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    before = fake_slack.channel(AEB)
    assert before is not None and not before["is_member"]
    run(DIGEST_DAY)
    assert channel_digest(staffed_db) == [DeliveryState.SENT]
    thread = digest_thread(fake_slack, AEB)
    assert sorted(f["name"] for m in thread[1:] for f in m.get("files", [])) == sorted(FILES)
    after = fake_slack.channel(AEB)
    assert after is not None and after["is_member"]
    assert alerts(fake_slack) == []


def test_a_board_channel_is_found_on_any_page_of_conversations_list(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    rename_away(fake_slack, "aeb-archive-2021")
    for number in range(1200):  # a big workspace: the board's channel comes last
        fake_slack.add_channel(f"team-{number:04d}", member=False)
    new_id = fake_slack.add_channel("achieving-excellence", member=False)

    def main_post(args: dict[str, Any]) -> bool:
        return args.get("channel") in (AEB, new_id) and not args.get("thread_ts")

    fake_slack.lose_answer("chat.postMessage", "timeout", match=main_post)
    run(DIGEST_DAY)
    run("2022-10-10T10:00")
    assert channel_digest(staffed_db) == [DeliveryState.SENT]
    [main] = [m for m in fake_slack.messages(new_id) if not m.get("thread_ts")]
    assert "digest:" in str(main.get("metadata"))
    pages = fake_slack.calls_to("conversations.list")
    assert len(pages) >= 2 and not pages[-1].response["response_metadata"]["next_cursor"]
    history = fake_slack.calls_to("conversations.history")
    assert history and {c.args["channel"] for c in history} == {new_id}  # ids, never names


def test_a_renamed_board_channel_keeps_working(
    run: Run, fake_slack: FakeSlack, staffed_db: Database
) -> None:
    run(DIGEST_DAY)
    rename_away(fake_slack, "aeb-2023")
    listed = len(fake_slack.calls_to("conversations.list"))
    run(NEXT_DIGEST_DAY)
    assert channel_digest(staffed_db, "2022-11") == [DeliveryState.SENT]
    assert len(fake_slack.calls_to("conversations.list")) == listed  # resolved once, kept
    assert len([m for m in fake_slack.messages("#aeb-2023") if not m.get("thread_ts")]) == 2
    assert alerts(fake_slack) == []


@pytest.mark.parametrize("how", ["renamed away", "private, the bot not invited"])
def test_a_board_channel_the_bot_cannot_reach_is_an_admin_alert(
    run: Run, fake_slack: FakeSlack, staffed_db: Database, how: str
) -> None:
    rename_away(fake_slack, "aeb-old")
    if how.startswith("private"):
        fake_slack.add_channel("achieving-excellence", private=True, member=False)
    run(DIGEST_DAY)
    assert channel_digest(staffed_db) == [DeliveryState.FAILED]
    run("2022-10-10T09:01")  # the admin's alert
    [alert] = alerts(fake_slack)
    assert "channel_not_found" in alert and "/invite @ofsted`" in alert
    board = fake_slack.calls  # nothing posted under the name
    assert not [c for c in board if c.method == "chat.postMessage" and c.args.get("channel") == AEB]


def test_board_says_whether_the_bot_is_in_the_boards_channel(
    slack: Driver, run: Run, fake_slack: FakeSlack
) -> None:
    assert (
        "Not yet checked whether the bot is in #achieving-excellence"
        in slack.command("board aeb").text
    )
    run(DIGEST_DAY)
    assert "The bot is in #achieving-excellence." in slack.command("board aeb").text


def test_board_says_to_invite_the_bot_to_a_private_channel(
    slack: Driver, run: Run, fake_slack: FakeSlack
) -> None:
    rename_away(fake_slack, "aeb-old")
    fake_slack.add_channel("achieving-excellence", private=True, member=False)
    run(DIGEST_DAY)
    shown = slack.command("board aeb").text
    assert "cannot find #achieving-excellence" in shown and "/invite @ofsted" in shown
