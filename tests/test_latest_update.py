"""Each action keeps its latest standing update (`Action.latest_update_id`, read by the digest
and the planner): after every kind of write through the real app (slash updates, thread replies,
edits in Slack and in the form, deletions, undos, sign-off) it equals the update a from-scratch
computation finds: the newest version that is not retracted and not superseded by another."""

from __future__ import annotations

import pytest
from slackdriver import Driver, MovableClock
from sqlalchemy import select
from test_updates import reply, share

from db.database import Database
from db.models import Action, Update
from db.session import downgrade


def from_scratch(db: Database) -> dict[int, int | None]:
    with db.sessions() as session:
        updates = list(session.scalars(select(Update)))
        actions = list(session.scalars(select(Action.id)))
    superseded = {u.supersedes_id for u in updates if u.supersedes_id is not None}
    latest: dict[int, Update] = {}
    for u in updates:
        if u.retracted or u.id in superseded:
            continue
        best = latest.get(u.action_id)
        if best is None or (u.created_at, u.id) > (best.created_at, best.id):
            latest[u.action_id] = u
    return {a: (latest[a].id if a in latest else None) for a in actions}


def stored(db: Database) -> dict[int, int | None]:
    with db.sessions() as session:
        return {r[0]: r[1] for r in session.execute(select(Action.id, Action.latest_update_id))}


def latest_text(db: Database, ref: str) -> str | None:
    with db.sessions() as session:
        action = session.scalar(select(Action).where(Action.ref == ref).limit(1))
        assert action is not None
        if action.latest_update_id is None:
            return None
        return session.get_one(Update, action.latest_update_id).text


def test_the_stored_latest_update_follows_every_kind_of_write(
    slack: Driver, staffed_db: Database, clock: MovableClock
) -> None:
    checked = 0

    def check() -> None:
        nonlocal checked
        assert stored(staffed_db) == from_scratch(staffed_db)
        checked += 1
        clock.advance(minutes=1)

    check()  # nothing logged yet: every action has none
    first = slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    check()
    assert latest_text(staffed_db, "4.2") == "waiting for HR"
    slack.command("update 4.2 amber: interviews booked", user="U0CP")
    check()
    # an edit of the older update makes its new version the latest
    slack.press(first.button("Edit"), user="U0CP")
    slack.submit(slack.opened_view(), {"text": {"type": "plain_text_input", "value": "HR replied"}})
    check()
    assert latest_text(staffed_db, "4.2") == "HR replied"
    # undo of a new update: back to the one before
    undone = slack.command("update 4.2 red: blocked", user="U0CP")
    check()
    assert latest_text(staffed_db, "4.2") == "blocked"
    slack.press(undone.button("Undo"), user="U0CP")
    check()
    assert latest_text(staffed_db, "4.2") == "HR replied"
    # a thread reply, edited in Slack, then deleted
    thread = share(slack, "action 4.2")
    reply(slack, "amber: waiting for HR", thread)
    check()
    slack.event("message_changed.json")  # -> "red: HR have paused recruitment"
    check()
    assert latest_text(staffed_db, "4.2") == "HR have paused recruitment"
    slack.event("message_deleted.json")
    check()
    assert latest_text(staffed_db, "4.2") == "HR replied"
    # completion and the board's sign-off
    slack.command("update 4.3 done: both managers started, see the HR report", user="U0CP")
    check()
    slack.command("signoff 4.3", user="U0SPM")
    check()
    assert latest_text(staffed_db, "4.3") == "Signed off by the board."
    # an update refused changes nothing
    slack.command("update 4.3 more news", user="U0CP")
    check()
    assert checked == 12


@pytest.mark.parametrize("edits", [1, 3])
def test_an_edited_and_withdrawn_only_update_leaves_none(
    slack: Driver, staffed_db: Database, clock: MovableClock, edits: int
) -> None:
    logged = slack.command("update 4.1 amber: panel short", user="U0CP")
    for n in range(edits):
        clock.advance(minutes=1)
        slack.press(logged.button("Edit"), user="U0CP")
        slack.submit(
            slack.opened_view(), {"text": {"type": "plain_text_input", "value": f"edit {n}"}}
        )
    assert latest_text(staffed_db, "4.1") == f"edit {edits - 1}"
    slack.press(logged.button("Undo"), user="U0CP")
    assert latest_text(staffed_db, "4.1") is None
    assert stored(staffed_db) == from_scratch(staffed_db)


def test_upgrading_from_0005_backfills_the_latest_update(
    slack: Driver, staffed_db: Database, clock: MovableClock
) -> None:
    """Migration 0007 works out each action's latest standing update from the updates already
    there (edited, withdrawn and undone ones among them), as a from-scratch computation does."""
    first = slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    clock.advance(minutes=1)
    slack.command("update 4.2 amber: interviews booked", user="U0CP")
    slack.press(first.button("Edit"), user="U0CP")
    slack.submit(slack.opened_view(), {"text": {"type": "plain_text_input", "value": "HR replied"}})
    clock.advance(minutes=1)
    undone = slack.command("update 4.1 red: blocked", user="U0CP")
    slack.press(undone.button("Undo"), user="U0CP")
    slack.command("update 4.3 done: both managers started, see the HR report", user="U0CP")
    slack.command("signoff 4.3", user="U0SPM")
    expected = from_scratch(staffed_db)
    assert expected == stored(staffed_db)
    assert len({v for v in expected.values() if v is not None}) == 2  # 4.2 and 4.3; 4.1: none

    downgrade(staffed_db.engine, "0005")  # drops action.latest_update_id
    staffed_db.upgrade()
    assert stored(staffed_db) == expected
    assert latest_text(staffed_db, "4.2") == "HR replied"
    with staffed_db.engine.connect() as connection:  # SQLite: foreign keys on again after it
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
