"""What the digest, the nudges and the admins' alerts say: one message and one thread message,
no empty sections, no digest for a board without actions, bars that match the counts,
withdrawn updates left out, and an alert an admin can act on."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from conftest import bot_settings
from openpyxl import load_workbook
from slackdriver import Driver
from sqlalchemy import select
from test_updates import reply, share

from bot.app import make_client
from bot.devtools.block_limits import message_problems
from bot.devtools.fakeslack import FakeSlack
from bot.outbox import tick
from bot.settings import Settings
from commands.views.digest import digest_details, digest_summary
from commands.views.kit import RAG_EMOJI, as_json, bar, due_text
from db.database import Database
from db.models import Board, Delivery, DeliveryState
from db.status import RAG_KEYS
from jobs.alerts import DeliveryAlert
from jobs.digest import digest_for, next_meeting
from jobs.digest_model import Digest, RecommendationRag
from jobs.meetings import ensure_meetings
from jobs.tick import TickReport

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)

LONDON = Settings().tz
SQUARES = set(RAG_EMOJI.values())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def run(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> Callable[[str], TickReport]:
    settings = bot_settings(database_url, fake_slack, send_interval=0.0)
    client = make_client(settings)
    return lambda when: tick(staffed_db, client, settings, at(when))


def aeb_digest(db: Database, now: str = "2022-10-10T09:00") -> Digest:
    with db.writes.begin() as session:
        board = session.scalars(select(Board).where(Board.key == "aeb")).one()
        ensure_meetings(session, [board], date(2022, 9, 5))
        meeting = next_meeting(session, board, at(now).date())
        assert meeting is not None
        return digest_for(session, board, meeting, at(now), LONDON)


def shown(message: dict[str, Any]) -> str:
    return json.dumps([message.get("text"), message.get("blocks")], ensure_ascii=False)


def digest_in(fake: FakeSlack, channel: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    [main] = [m for m in fake.messages(channel) if "digest for" in m["text"]]
    return main, fake.messages(channel, main["ts"])[1:]


def squares(text: str) -> list[str]:
    return [c for c in text.split("  ")[0] if c in SQUARES]


# -- one message and one thread message; nothing for a board without actions -----------------


def test_a_digest_is_one_message_and_one_thread_message_with_the_files(
    run: Callable[[str], TickReport], fake_slack: FakeSlack
) -> None:
    run("2022-10-10T09:00")
    for channel in ("U0SPM", "#achieving-excellence"):
        main, thread = digest_in(fake_slack, channel)
        texts = [m for m in thread if not m.get("files")]
        files = [f["name"] for m in thread for f in m.get("files", [])]
        assert len(texts) == 1, [m["text"] for m in texts]
        assert files == [
            "aeb-2022-10-12-rag.png",
            "aeb-2022-10-12-board-pack.pdf",
            "aeb-2022-10-12-board-paper.xlsx",
        ]
        details = shown(texts[0])
        for section in ("Overdue", "Chase list", "Completions awaiting sign-off"):
            assert section in details
        # nothing was logged, escalated or falls due before the next meeting: left out
        for empty in ("What changed", "Escalations", "Due before the next meeting"):
            assert empty not in details
        assert message_problems(main) == [] and message_problems(texts[0]) == []


def test_a_board_without_actions_gets_no_digest_and_no_nudges(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database
) -> None:
    # the Getting to Good working group meets every Tuesday; its plans have no actions
    for day in ("2022-10-04", "2022-10-05", "2022-10-06", "2022-10-07", "2022-10-10"):
        run(f"{day}T09:00")
    assert fake_slack.messages("#getting-to-good") == []
    with staffed_db.sessions() as session:
        g2g = [d for d in session.scalars(select(Delivery)) if d.payload.get("board") == "g2g"]
    assert g2g and all(d.kind == "digest" for d in g2g)  # no nudges: nothing to ask
    assert {(d.state, d.reason) for d in g2g} == {
        (DeliveryState.SKIPPED, "the board's plans have no actions: nothing to report")
    }


def test_the_digest_preview_has_the_same_shape(slack: Driver) -> None:
    preview = slack.command("digest aeb", user="U0SPM")
    assert len(preview.messages) == 2  # the message, then the thread's details
    assert "Achieving Excellence Board: Wednesday" in json.dumps(preview.messages[0])
    assert "Chase list" in json.dumps(preview.messages[1])
    empty = slack.command("digest g2g", user="U0SPM")
    assert "gets no digest" in empty.text and len(empty.messages) == 1


def test_details_too_long_for_one_message_are_cut_with_a_pointer_to_the_board_paper(
    staffed_db: Database,
) -> None:
    digest = aeb_digest(staffed_db)
    many = [
        replace(digest.actions[0], ref=f"9.{i}", title="A long title " * 20) for i in range(400)
    ]
    big = replace(digest, overdue=many, due_before_next=many, chase=many, awaiting_signoff=many)
    text, blocks = digest_details(big, LONDON, date(2022, 10, 10), decider="U0SPM")
    message = {"text": text, "blocks": [as_json(b) for b in blocks]}
    assert message_problems(message) == [] and len(blocks) <= 50
    assert "380 more in the board paper (XLSX)" in shown(message)


# -- bars: one square per action ----------------------------------------------------------------


def test_bars_have_one_square_per_action(staffed_db: Database) -> None:
    digest = aeb_digest(staffed_db)
    total = sum(digest.totals.values())
    _, blocks = digest_summary(digest, LONDON)
    summary = json.dumps([as_json(b) for b in blocks], ensure_ascii=False)
    board_bar = summary.split(f"RAG of all {total} actions*\\n")[1].split('"')[0]
    assert len(squares(board_bar)) == total
    for key in RAG_KEYS:
        assert squares(board_bar).count(RAG_EMOJI[key]) == digest.totals[key]
    for rec in digest.recommendations:
        assert len(squares(bar(rec.counts))) == rec.total
    assert "one square per action" in summary


def test_a_scaled_bar_says_so_and_rounds_each_rag_up() -> None:
    counts = {"red": 1, "amber": 20, "green": 24, "done": 0, "unrated": 0}
    cells = squares(bar(counts, per=3))
    assert [cells.count(RAG_EMOJI[k]) for k in ("red", "amber", "green")] == [1, 7, 8]
    assert bar(counts, per=3).endswith("🔴1 🟠20 🟢24")
    digest = Digest(
        "x",
        "X Board",
        date(2024, 7, 10),
        None,
        None,
        datetime(2024, 7, 8, tzinfo=UTC),
        ["p"],
        recommendations=[RecommendationRag("p", "1", "One", counts)],  # 45 actions
    )
    _, blocks = digest_summary(digest, LONDON)
    summary = json.dumps([as_json(b) for b in blocks], ensure_ascii=False)
    assert "each square is up to 3 actions (all actions)" in summary  # 45 in 20 squares
    assert "each square is up to 5 actions (recommendations)" in summary  # 45 in 10


def test_a_completed_action_awaiting_sign_off_is_not_called_overdue(staffed_db: Database) -> None:
    line = replace(aeb_digest(staffed_db).actions[0], due=date(2022, 9, 30), due_original=None)
    today = date(2022, 10, 10)
    assert "overdue" in due_text(replace(line, status="on track"), today)
    assert "overdue" not in due_text(replace(line, status="complete"), today)
    assert "overdue" not in due_text(replace(line, status="signed off"), today)


# -- withdrawn updates are left out everywhere ---------------------------------------------------


def test_withdrawn_updates_are_left_out_of_nudges_digest_counts_and_board_paper(
    slack: Driver, run: Callable[[str], TickReport], fake_slack: FakeSlack
) -> None:
    logged = slack.command("update 4.2 red: a typo I withdrew", user="U0CP")
    assert "Withdrawn" in slack.press(logged.button("Undo"), user="U0CP").text
    slack.command("update 4.1 amber: panel dates agreed", user="U0CP")
    run("2022-10-05T09:00")
    [nudge] = fake_slack.messages("U0CP")
    assert "a typo I withdrew" not in shown(nudge)
    assert "panel dates agreed" in shown(nudge) or "4.1" not in shown(nudge)
    run("2022-10-10T09:00")
    main, thread = digest_in(fake_slack, "U0SPM")
    everything = shown(main) + "".join(shown(m) for m in thread)
    assert "a typo I withdrew" not in everything and "panel dates agreed" in everything
    assert "*1* update since the last meeting" in shown(main)  # one: no plural
    paper = load_workbook(io.BytesIO(fake_slack.file_content("aeb-2022-10-12-board-paper.xlsx")))
    cells = [
        str(c) for ws in paper.worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    assert not any("a typo I withdrew" in c for c in cells)
    assert sum("panel dates agreed" in c for c in cells) >= 2  # its sheet and the updates


def test_an_edited_update_is_one_change_and_a_deleted_one_none(
    slack: Driver, staffed_db: Database
) -> None:
    thread = share(slack, "action 4.2")
    reply(slack, "amber: waiting for HR", thread)
    slack.event("message_changed.json")  # -> "red: HR have paused recruitment"
    [change] = aeb_digest(staffed_db).changes
    assert (change.ref, change.text, change.rag_to) == ("4.2", "HR have paused recruitment", "red")
    assert change.rag_from != "red"  # from where the first version found the action
    slack.event("message_deleted.json")
    digest = aeb_digest(staffed_db)
    assert digest.changes == []
    assert next(x for x in digest.actions if x.ref == "4.2").last_update_text is None


def test_an_alert_written_before_the_typed_payload_still_reads() -> None:
    alert = DeliveryAlert.from_payload({"delivery": 7, "error": "channel_not_found"})
    assert (alert.delivery_id, alert.key, alert.error) == (7, "delivery 7", "channel_not_found")
    assert DeliveryAlert.from_payload(alert.to_payload()) == alert


# -- an alert an admin can act on -----------------------------------------------------------------


def test_an_admin_is_told_what_failed_for_whom_and_what_to_do(
    run: Callable[[str], TickReport], fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", error="user_not_found")  # the nudge to U0CP
    run("2022-10-05T09:00")
    board = fake_slack.channel("#achieving-excellence")
    assert board is not None
    fake_slack.fail_next(
        "chat.postMessage", error="not_in_channel", match=lambda a: a["channel"] == board["id"]
    )
    run("2022-10-10T09:00")
    alerts = [shown(m) for m in fake_slack.messages("U0ADMIN")]
    assert len(alerts) == 2
    assert (
        "could not send the first reminder of the Achieving Excellence Board for its "
        in (alerts[0])
    )
    assert "meeting on Wednesday 12 Oct 2022 to <@U0CP>: `user_not_found`" in alerts[0]
    assert "ofsted-bot owners list" in alerts[0] and "'delivery'" not in alerts[0]
    assert "could not send the digest of the Achieving Excellence Board" in alerts[1]
    assert "to #achieving-excellence: `not_in_channel`" in alerts[1]
    assert "/invite @ofsted" in alerts[1]
