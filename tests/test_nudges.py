"""Owners between meetings: a nudge kept up to date in place, *No change since last time* and
*Remind me in 2 days* (once, never past the digest)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from slackdriver import Driver, MovableClock
from sqlalchemy import select
from test_decisions import buttons_in
from test_reminders import at
from test_updates import updates_of

from bot.devtools.fakeslack import FakeSlack
from db.database import Database
from db.models import Delivery
from jobs.tick import TickReport


def nudge_to(fake: FakeSlack, user: str, kind: str = "nudge") -> dict[str, Any]:
    """The nudge a user got, as Slack holds it now."""
    [found] = [
        m
        for m in fake.messages(user)
        if m.get("metadata", {}).get("event_payload", {}).get("key", "").startswith(f"{kind}:")
    ]
    return found


def test_a_nudge_is_updated_in_place_as_its_actions_get_their_update(
    tick_at: Callable[[str], TickReport], slack: Driver, fake_slack: FakeSlack, clock: MovableClock
) -> None:
    tick_at("2022-10-05T09:00")
    before = nudge_to(fake_slack, "U0CP")
    owed = len(buttons_in(before)["Update"])  # one per action, 4.1 among them
    assert owed > 1 and "*4.1*" in json.dumps(before)
    clock.current = at("2022-10-05T10:00")
    slack.command("update 4.1 amber: panel capacity is short", user="U0CP")
    tick_at("2022-10-05T10:01")
    [updated] = fake_slack.calls_to("chat.update")
    assert updated.args["ts"] == before["ts"] and updated.args["channel"] == "DU0CP"
    now = nudge_to(fake_slack, "U0CP")
    assert now["ts"] == before["ts"] and "edited" in now
    assert "✓ *4.1*" in json.dumps(now, ensure_ascii=False)
    assert len(buttons_in(now)["Update"]) == owed - 1
    tick_at("2022-10-05T10:02")
    assert len(fake_slack.calls_to("chat.update")) == 1  # shown as it stands: left alone


def test_no_change_since_last_time_is_an_update_and_settles_the_nudge(
    tick_at: Callable[[str], TickReport],
    slack: Driver,
    fake_slack: FakeSlack,
    clock: MovableClock,
    staffed_db: Database,
) -> None:
    tick_at("2022-10-05T09:00")
    clock.current = at("2022-10-05T10:00")
    slack.command("update 4.1 amber: panel capacity is short", user="U0CP")
    nudge = nudge_to(fake_slack, "U0CP")
    [button] = buttons_in(nudge)["No change since last time"]
    slack.press_on(nudge, "U0CP", button, user="U0CP")
    slack.press_on(nudge, "U0CP", button, user="U0CP")  # a double click: logged once
    for ref in ("4.2", "4.3"):
        assert [u.text for u in updates_of(staffed_db, ref)] == ["No change since last time."]
    assert [u.text for u in updates_of(staffed_db, "4.1")] == ["panel capacity is short"]
    now = nudge_to(fake_slack, "U0CP")
    assert "Every action here has its update" in json.dumps(now)
    assert buttons_in(now) == {}
    assert "No change since last time." in slack.command("history 4.2").text
    tick_at("2022-10-07T09:00")  # the second nudge: nothing is missing any more
    assert not [m for m in fake_slack.messages("U0CP") if "nudge2:" in json.dumps(m)]


def test_remind_me_in_two_days_once_and_never_past_the_digest(
    tick_at: Callable[[str], TickReport],
    slack: Driver,
    fake_slack: FakeSlack,
    clock: MovableClock,
    staffed_db: Database,
) -> None:
    tick_at("2022-10-05T09:00")
    clock.current = at("2022-10-05T10:00")
    nudge = nudge_to(fake_slack, "U0CP")
    [button] = buttons_in(nudge)["Remind me in 2 days"]
    slack.press_on(nudge, "U0CP", button, user="U0CP")
    now = nudge_to(fake_slack, "U0CP")
    # in the reader's own locale and time zone, the council's time the fallback
    assert re.search(r"I'll remind you <!date\^\d+\^[^|]+\|7 Oct 2022, 10:00>", json.dumps(now))
    assert "Remind me in 2 days" not in buttons_in(now)
    slack.press_on(nudge, "U0CP", button, user="U0CP")  # pressed again: still one reminder
    with staffed_db.sessions() as session:
        reminders = list(session.scalars(select(Delivery).where(Delivery.kind == "remind")))
    assert [d.recipient for d in reminders] == ["U0CP"]
    tick_at("2022-10-07T10:00")
    reminded = nudge_to(fake_slack, "U0CP", "remind")
    assert "The reminder you asked for" in json.dumps(reminded)
    # two days after Sat 8 Oct is past the digest (Mon 10 Oct, 09:00): refused, nothing owed
    clock.current = at("2022-10-08T10:00")
    other = nudge_to(fake_slack, "U0FRS")
    [later] = buttons_in(other)["Remind me in 2 days"]
    refused = slack.press_on(other, "U0FRS", later, user="U0FRS")
    assert "digest goes out before then" in refused.text
    with staffed_db.sessions() as session:
        assert session.scalar(select(Delivery).where(Delivery.key.like("remind:%:U0FRS"))) is None
