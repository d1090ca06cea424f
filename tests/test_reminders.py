"""Board meetings, nudges and digests: on time, exactly once, whatever happens to the process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from conftest import add_board_channels, bot_settings, run_due_process
from slackdriver import Driver
from sqlalchemy import select

from bot.app import make_client
from bot.devtools.block_limits import message_problems
from bot.devtools.fakeslack import Call, FakeSlack
from bot.outbox import tick
from bot.settings import Settings
from commands.compose import digest_message
from db.database import Database
from db.models import Board, Delivery, DeliveryState
from db.plan_import import import_plan_file
from db.status import DONE
from jobs.digest import digest_for
from jobs.meetings import ensure_meetings, find_board
from jobs.schedule import send_at, send_times
from jobs.tick import TickReport

LONDON = Settings().tz
ROOT = Path(__file__).resolve().parent.parent


def at(text: str) -> datetime:
    """A UK local time as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def run(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> Callable[[str], TickReport]:
    settings = bot_settings(database_url, fake_slack, send_interval=0.0)
    client = make_client(settings)
    return lambda when: tick(staffed_db, client, settings, at(when))


def posts(fake: FakeSlack) -> list[Call]:
    """Messages Slack accepted (not the attempts it refused) that carry a delivery key."""
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if "metadata" in c.args and c.status == 200 and c.response.get("ok")
    ]


def keys(fake: FakeSlack) -> list[str]:
    return [c.args["metadata"]["event_payload"]["key"] for c in posts(fake)]


def deliveries(db: Database) -> list[Delivery]:
    with db.sessions() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def aeb(fake: FakeSlack, kind: str) -> list[Call]:
    return [
        c
        for c in posts(fake)
        if c.args["metadata"]["event_payload"]["key"].startswith(f"{kind}:")
        and "Achieving Excellence" in c.args["text"]
    ]


def test_a_six_week_cycle(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database
) -> None:
    # the AEB meets Wed 12 Oct 2022: nudge Wed 5 Oct, second nudge Sun 9 -> Fri 7, digest Mon 10
    run("2022-10-05T08:59")
    assert aeb(fake_slack, "nudge") == []
    run("2022-10-05T09:00")
    first = aeb(fake_slack, "nudge")
    assert sorted(c.args["channel"] for c in first) == ["U0CP", "U0DCS", "U0FRS"]
    assert "Wednesday 12 Oct 2022" in first[0].args["text"] + json.dumps(first[0].args["blocks"])
    run("2022-10-05T09:00")
    run("2022-10-05T09:01")
    assert len(aeb(fake_slack, "nudge")) == 3  # once, however often the tick runs
    run("2022-10-07T09:00")
    assert len(aeb(fake_slack, "nudge2")) == 3
    run("2022-10-10T09:00")
    digests = aeb(fake_slack, "digest")
    board = fake_slack.channel("#achieving-excellence")
    assert board is not None
    assert sorted(c.args["channel"] for c in digests) == sorted([board["id"], "U0SPM"])
    threads = [
        c
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == digests[0].response["ts"]
    ]
    assert any("Chase list" in c.args["text"] for c in threads)
    uploads = fake_slack.calls_to("files.completeUploadExternal")
    names = json.dumps([c.args for c in uploads])
    assert "aeb-2022-10-12-rag.png" in names and "aeb-2022-10-12-board-paper.xlsx" in names
    # after the clocks go back (30 Oct) the next cycle still goes at 09:00 UK time
    run("2022-11-16T09:00")
    nov = [d for d in deliveries(staffed_db) if d.key.startswith("nudge:") and d.due_at.month == 11]
    assert nov and all(d.due_at == datetime(2022, 11, 16, 9, 0, tzinfo=UTC) for d in nov)
    october = [
        d for d in deliveries(staffed_db) if d.key.startswith("nudge:") and d.due_at.month == 10
    ]
    assert all(d.due_at == datetime(2022, 10, 5, 8, 0, tzinfo=UTC) for d in october)


def test_bank_holidays_and_weekends_move_reminders_earlier() -> None:
    # meeting Wed 4 Jan 2023: 2 days before is Mon 2 Jan (New Year bank holiday) -> Fri 30 Dec
    assert send_at(date(2023, 1, 4), 2, "09:00", LONDON) == datetime(2022, 12, 30, 9, 0, tzinfo=UTC)
    # 7 days before is Wed 28 Dec: a working day (the 27th is the holiday)
    assert send_at(date(2023, 1, 4), 7, "09:00", LONDON) == datetime(2022, 12, 28, 9, 0, tzinfo=UTC)
    # 3 days before is Sun 1 Jan -> Fri 30 Dec; in summer 09:00 BST is 08:00 UTC
    assert send_at(date(2023, 1, 4), 3, "09:00", LONDON).date() == date(2022, 12, 30)
    assert send_at(date(2023, 5, 10), 2, "09:00", LONDON) == datetime(2023, 5, 5, 8, 0, tzinfo=UTC)


def test_after_a_holiday_season_nudges_and_digest_fall_on_different_days(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database
) -> None:
    # OPAB meets Wed 30 Dec 2026: its digest (2 days before: Mon 28 Dec, a bank holiday) and
    # its second nudge (3 days before: Sun 27 Dec) would both go on Thu 24 Dec
    with staffed_db.writes.begin() as session:
        opab = find_board(session, "opab")
        assert opab is not None
        times = send_times(opab, date(2026, 12, 30), LONDON)
        assert [t.date() for t in (times.nudge, times.nudge2, times.digest)] == [
            date(2026, 12, 22),
            date(2026, 12, 23),
            date(2026, 12, 24),
        ]
        aeb_board = find_board(session, "aeb")
        assert aeb_board is not None
        aeb_board.anchor = date(2026, 12, 30)  # the AEB (which has actions) meets that day too
    days: dict[str, set[str]] = {}
    for day in ("2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24"):
        before = len(posts(fake_slack))
        run(f"{day}T09:00")
        days[day] = {k.split(":")[0] for k in keys(fake_slack)[before:]}
    assert days == {
        "2026-12-21": set(),
        "2026-12-22": {"nudge"},
        "2026-12-23": {"nudge2"},
        "2026-12-24": {"digest"},
    }


def test_digest_on_a_bank_holiday_goes_the_working_day_before(
    run: Callable[[str], TickReport], fake_slack: FakeSlack
) -> None:
    run("2022-12-29T09:00")
    assert aeb(fake_slack, "digest") == []
    run("2022-12-30T09:00")
    assert len(aeb(fake_slack, "digest")) == 2


def test_moved_and_cancelled_meetings(
    slack: Driver, run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database
) -> None:
    refused = slack.command("board move aeb 2022-10-12 2022-10-19", user="U0PRACT")
    assert "Only the Achieving Excellence Board's secretary" in refused.text
    moved = slack.command("board move aeb 2022-10-12 2022-10-19", user="U0SPM")
    assert "now meets on Wednesday 19 Oct 2022" in moved.text
    assert "(moved from 12 Oct 2022)" in slack.command("board aeb").text
    run("2022-10-05T09:00")
    assert aeb(fake_slack, "nudge") == []
    run("2022-10-12T09:00")
    assert len(aeb(fake_slack, "nudge")) == 3
    nudge = json.dumps(aeb(fake_slack, "nudge")[0].args["blocks"])
    assert "^{date_long}|Wednesday 19 Oct 2022>" in nudge  # the reader's locale; UK fallback
    cancelled = slack.command("board cancel aeb 2022-11-23", user="U0ADMIN")
    assert "will not meet on Wednesday 23 Nov 2022" in cancelled.text
    run("2022-11-16T09:00")
    run("2022-11-21T09:00")
    assert not [
        d
        for d in deliveries(staffed_db)
        if "Nov" in d.due_at.strftime("%b")
        and d.key.startswith(("nudge", "digest"))
        and "aeb" in json.dumps(d.payload)
    ]
    # the cadence goes on: the next meeting is still 4 Jan 2023
    with staffed_db.writes.begin() as session:
        board = find_board(session, "aeb")
        assert board is not None
        ensure_meetings(session, [board], date(2022, 12, 1))
    assert "4 Jan 2023" in slack.command("board aeb").text


def test_after_downtime_late_reminders_are_skipped_not_sent(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database
) -> None:
    run("2022-10-05T08:00")  # meetings stored; nothing due yet
    run("2022-10-11T12:00")  # came back the day before the meeting: only the digest is due
    assert aeb(fake_slack, "nudge") == []  # both nudges' times passed with the digest's:
    assert aeb(fake_slack, "nudge2") == []  # never a nudge in the same tick as the digest
    assert len(aeb(fake_slack, "digest")) == 2
    with staffed_db.writes.begin() as session:  # a delivery owed for a meeting now over
        session.add(
            Delivery(
                key="nudge:late",
                kind="nudge",
                recipient="U0CP",
                meeting_id=deliveries(staffed_db)[0].meeting_id,
                due_at=at("2022-10-11T09:00"),
                payload={"board": "aeb"},
            )
        )
    run("2022-10-13T09:00")
    late = next(d for d in deliveries(staffed_db) if d.key == "nudge:late")
    assert late.state == DeliveryState.SKIPPED and late.reason == "the meeting has passed"


def test_faults_retry_or_fail_with_one_alert(
    run: Callable[[str], TickReport], fake_slack: FakeSlack, staffed_db: Database
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    fake_slack.fail_next("chat.postMessage", status=500)
    fake_slack.fail_next("chat.postMessage", error="user_not_found")
    report = run("2022-10-05T09:00")
    # one nudge sent, one to retry (5xx), one failed (user_not_found) and its alert sent
    assert (report.sent.sent, report.sent.retried, report.sent.failed) == (2, 1, 1)
    failed = next(d for d in deliveries(staffed_db) if d.state == DeliveryState.FAILED)
    assert failed.reason == "user_not_found"
    alerts = [c for c in posts(fake_slack) if c.args["channel"] == "U0ADMIN"]
    assert len(alerts) == 1 and "user_not_found" in alerts[0].args["text"]
    assert len(aeb(fake_slack, "nudge")) == 1  # the 429 was waited out within the call
    run("2022-10-05T09:01")  # the 5xx may have posted: it waits until Slack has finished
    assert len(aeb(fake_slack, "nudge")) == 1
    run("2022-10-05T09:03")
    assert len(aeb(fake_slack, "nudge")) == 2  # looked for, not there, and then goes
    run("2022-10-05T09:30")
    assert len([c for c in posts(fake_slack) if c.args["channel"] == "U0ADMIN"]) == 1
    assert Counter(keys(fake_slack)).most_common(1)[0][1] == 1


def test_the_digest_says_how_things_stand(
    slack: Driver, staffed_db: Database, clock: object
) -> None:
    slack.command("update 4.1 red: no placements panel", user="U0CP")
    slack.command("update 2.1 amber: waiting for health partners", user="U0CP")
    with staffed_db.writes.begin() as session:
        board = session.scalars(select(Board).where(Board.key == "aeb")).one()
        ensure_meetings(session, [board], date(2022, 9, 5))
        from jobs.digest import next_meeting

        meeting = next_meeting(session, board, date(2022, 9, 5))
        assert meeting is not None and meeting.held_on == date(2022, 10, 12)
        digest = digest_for(session, board, meeting, at("2022-10-10T09:00"), LONDON)
    plan = next(
        p
        for p in yaml.safe_load((ROOT / "plans" / "surrey.yaml").read_text())["plans"]
        if p["key"] == "ilacs-2022"
    )
    expected: Counter[str] = Counter()
    for rec in plan["recommendations"]:
        for action in rec.get("actions", []):
            rag = {"4.1": "red", "2.1": "amber"}.get(action["ref"], action.get("rag"))
            done = action.get("status") in DONE
            expected["done" if done else (rag or "unrated")] += 1
    assert {k: v for k, v in digest.totals.items() if v} == dict(expected)
    assert [(c.ref, c.rag_to) for c in digest.changes] == [("2.1", "amber"), ("4.1", "red")]
    chased = {(x.ref, x.owner_user) for x in digest.chase}
    assert ("4.1", "U0CP") not in chased and ("4.2", "U0CP") in chased
    assert all(x.owner_user in {"U0CP", "U0FRS", "U0DCS"} for x in digest.chase)
    assert len(digest.chase) == sum(expected.values()) - expected["done"] - 2
    assert [x.ref for x in digest.overdue] == sorted(
        (
            x.ref
            for x in digest.actions
            if x.due and x.due < date(2022, 10, 10) and x.status not in DONE
        ),
        key=[x.ref for x in digest.overdue].index,
    )
    preview = slack.command("digest aeb")
    assert "Achieving Excellence Board: Wednesday 12 Oct 2022" in json.dumps(preview.messages[0])
    assert any("Chase list" in json.dumps(m) for m in preview.messages)


def test_a_digest_of_400_actions_stays_within_limits(staffed_db: Database, tmp_path: Path) -> None:
    big = {
        "council": "Big",
        "posts": [
            {"key": "owner", "title": "Owner", "holder": "U0O"},
            {"key": "sec", "title": "Secretary", "holder": "U0S"},
        ],
        "plans": [
            {
                "key": "big-2024",
                "title": "Big",
                "kind": "inspection",
                "body": "O",
                "recommendations": [
                    {
                        "number": str(r),
                        "text": f"Recommendation {r} " + "words " * 60,
                        "actions": [
                            {
                                "ref": f"{r}.{a}",
                                "title": "An action " * 12,
                                "owner": "owner",
                                "due": "2022-01-31",
                                "status": ("on track", "complete")[a % 2],
                                "rag": ("red", "amber", "green")[a % 3],
                            }
                            for a in range(10)
                        ],
                    }
                    for r in range(1, 41)
                ],
            }
        ],
        "boards": [
            {
                "key": "big",
                "name": "Big Board",
                "every_weeks": 6,
                "anchor": "2022-07-20",
                "secretary": "sec",
                "plans": ["big-2024"],
            }
        ],
    }
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(big))
    import_plan_file(staffed_db.writes, path)
    with staffed_db.writes.begin() as session:
        board = session.scalars(select(Board).where(Board.key == "big")).one()
        ensure_meetings(session, [board], date(2022, 10, 1))
        from jobs.digest import next_meeting

        meeting = next_meeting(session, board, date(2022, 10, 1))
        assert meeting is not None
        digest = digest_for(session, board, meeting, at("2022-10-10T09:00"), LONDON)
    assert len(digest.actions) == 400 and len(digest.overdue) == 200
    message = digest_message(digest, LONDON, date(2022, 10, 10))
    assert message_problems({"text": message.text, "blocks": message.blocks}) == []
    for text, blocks in message.thread:
        assert message_problems({"text": text, "blocks": blocks}) == []
    assert message.files[0][1].startswith(b"\x89PNG")


def test_a_sender_killed_mid_send_resumes_with_no_duplicate(
    staffed_db: Database, database_url: str
) -> None:
    victim: list[subprocess.Popen[bytes]] = []
    seen = Counter[str]()

    def kill_on_second(call: Call) -> None:
        if call.method == "chat.postMessage" and "metadata" in call.args:
            seen["posts"] += 1
            if seen["posts"] == 2 and victim:
                os.kill(victim[0].pid, signal.SIGKILL)  # killed after Slack took message 2

    with FakeSlack(on_call=kill_on_second) as fake:
        add_board_channels(fake)
        victim.append(run_due_process(database_url, fake, "2022-10-05T09:00"))
        victim[0].wait(timeout=60)
        assert victim[0].returncode == -signal.SIGKILL
        states = Counter(d.state for d in deliveries(staffed_db) if d.kind == "nudge")
        assert states[DeliveryState.SENDING] == 1  # the one whose answer never came back
        victim.clear()
        restart = run_due_process(database_url, fake, "2022-10-05T09:05")  # past the claim's lease
        assert restart.wait(timeout=60) == 0, restart.stderr.read() if restart.stderr else ""
        sent = [k for k in keys(fake) if k.startswith("nudge:")]
    assert len(sent) == len(set(sent)) == 3
    assert {d.state for d in deliveries(staffed_db) if d.kind == "nudge"} == {DeliveryState.SENT}


def test_two_tick_runners_at_once_send_each_message_once(
    staffed_db: Database, database_url: str
) -> None:
    with FakeSlack() as fake:
        add_board_channels(fake)
        runners = [run_due_process(database_url, fake, "2022-10-10T09:00") for _ in range(2)]
        results = [r.wait(timeout=120) for r in runners]
        errors = [r.stderr.read().decode() for r in runners if r.stderr]
        assert results == [0, 0], errors
        sent = keys(fake)
    assert len(sent) == len(set(sent)) >= 2  # the digests, each once; the second nudges'
    assert not [k for k in sent if k.startswith("nudge2:")]  # time passed with the digest's
    # the Getting to Good working group's plans have no actions, so its digest is
    # skipped (with a reason) rather than sent full of zeros
    assert all(
        d.state == DeliveryState.SENT
        or (d.state == DeliveryState.SKIPPED and d.payload.get("board") == "g2g" and d.reason)
        for d in deliveries(staffed_db)
    )


def test_the_channel_digest_pings_nobody(
    run: Callable[[str], TickReport], fake_slack: FakeSlack
) -> None:
    run("2022-10-10T09:00")
    board = fake_slack.channel("#achieving-excellence")
    assert board is not None
    [to_channel] = [c for c in aeb(fake_slack, "digest") if c.args["channel"] == board["id"]]
    [to_secretary] = [c for c in aeb(fake_slack, "digest") if c.args["channel"] == "U0SPM"]

    def thread_of(call: Call) -> str:
        return json.dumps(
            [
                c.args
                for c in fake_slack.calls_to("chat.postMessage")
                if c.args.get("thread_ts") == call.response["ts"]
            ]
        )

    assert "<@" not in json.dumps(to_channel.args) + thread_of(to_channel)
    assert "Director Corporate Parenting" in thread_of(to_channel)
    assert "<@U0CP>" in thread_of(to_secretary)
