"""Constraints live in the schema, not only in code: checked on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from db.database import Database
from db.models import (
    Action,
    Board,
    Cover,
    Delivery,
    Person,
    Plan,
    Post,
    ProcessedEvent,
    Recommendation,
    Update,
    UpdateSource,
)


def make_plan(session: object, key: str = "p") -> Plan:
    plan = Plan(key=key, title="T", council="C", kind="inspection", body="Ofsted")
    session.add(plan)  # type: ignore[attr-defined]
    return plan


def test_recommendation_number_unique_per_plan(empty_db: Database) -> None:
    with pytest.raises(IntegrityError), empty_db.writes.begin() as session:
        plan = make_plan(session)
        session.add_all(
            [
                Recommendation(plan=plan, number="1", position=0, text="a"),
                Recommendation(plan=plan, number="1", position=1, text="b"),
            ]
        )
    with empty_db.writes.begin() as session:  # the same number in two plans is fine
        for key in ("a", "b"):
            session.add(
                Recommendation(plan=make_plan(session, key), number="1", position=0, text="x")
            )


def test_action_ref_unique_per_plan(empty_db: Database) -> None:
    with pytest.raises(IntegrityError), empty_db.writes.begin() as session:
        plan = make_plan(session)
        rec = Recommendation(plan=plan, number="1", position=0, text="a")
        session.add_all(
            [
                Action(plan=plan, recommendation=rec, ref="1.1", position=i, title="t")
                for i in range(2)
            ]
        )


def test_delivery_key_unique(empty_db: Database) -> None:
    due = datetime(2022, 9, 5, 8, tzinfo=UTC)
    with pytest.raises(IntegrityError), empty_db.writes.begin() as session:
        session.add_all(
            [Delivery(key="nudge:1:U1", kind="nudge", recipient="U1", due_at=due) for _ in range(2)]
        )


def test_processed_event_ids_unique(empty_db: Database) -> None:
    with pytest.raises(IntegrityError), empty_db.writes.begin() as session:
        session.add(ProcessedEvent(event_id="Ev1"))
        session.flush()
        session.add(ProcessedEvent(event_id="Ev1"))


def test_foreign_keys_enforced(empty_db: Database) -> None:
    with pytest.raises(IntegrityError), empty_db.writes.begin() as session:
        session.add(Recommendation(plan_id=9999, number="1", position=0, text="a"))


def test_cover_dates_in_order(empty_db: Database) -> None:
    with pytest.raises(IntegrityError), empty_db.writes.begin() as session:
        post = Post(key="p", title="P")
        person = Person(slack_user_id="U1")
        session.add(
            Cover(post=post, person=person, starts_on=date(2022, 2, 1), ends_on=date(2022, 1, 1))
        )


def test_board_cadence_positive(empty_db: Database) -> None:
    with pytest.raises(IntegrityError), empty_db.writes.begin() as session:
        session.add(Board(key="b", name="B", every_weeks=0, anchor=date(2022, 1, 1)))


def test_status_values_checked(empty_db: Database) -> None:
    with pytest.raises(StatementError), empty_db.writes.begin() as session:
        plan = make_plan(session)
        rec = Recommendation(plan=plan, number="1", position=0, text="a")
        session.add(
            Action(plan=plan, recommendation=rec, ref="1.1", position=0, title="t", status="nearly")
        )


def _one_update(empty_db: Database) -> int:
    with empty_db.writes.begin() as session:
        plan = make_plan(session)
        rec = Recommendation(plan=plan, number="1", position=0, text="a")
        action = Action(plan=plan, recommendation=rec, ref="1.1", position=0, title="t")
        update = Update(
            action=action,
            text="first",
            source=UpdateSource.SLASH,
            slack_channel="C1",
            slack_ts="1.1",
        )
        session.add(update)
        session.flush()
        return update.id


def test_updates_are_immutable_and_never_deleted(empty_db: Database) -> None:
    update_id = _one_update(empty_db)
    with pytest.raises(ValueError, match="immutable"), empty_db.writes.begin() as session:
        update = session.get(Update, update_id)
        assert update is not None
        update.text = "rewritten"
    with pytest.raises(ValueError, match="never deleted"), empty_db.writes.begin() as session:
        session.delete(session.get(Update, update_id))
    with empty_db.sessions() as session:
        assert session.scalars(select(Update.text)).all() == ["first"]


def test_same_slack_message_is_one_update(empty_db: Database) -> None:
    update_id = _one_update(empty_db)
    with pytest.raises(IntegrityError), empty_db.writes.begin() as session:
        first = session.get(Update, update_id)
        assert first is not None
        session.add(
            Update(
                action_id=first.action_id,
                text="again",
                source=UpdateSource.SLASH,
                slack_channel="C1",
                slack_ts="1.1",
            )
        )


def test_times_are_stored_in_utc_and_read_back_aware(empty_db: Database) -> None:
    london_summer = datetime(2022, 7, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    with empty_db.writes.begin() as session:
        session.add(Delivery(key="k", kind="digest", recipient="C1", due_at=london_summer))
    with empty_db.sessions() as session:
        stored = session.scalar(select(Delivery.due_at))
    assert stored == london_summer
    assert stored is not None
    assert stored.utcoffset() == timedelta(0)
    with pytest.raises(StatementError, match="naive"), empty_db.writes.begin() as session:
        session.add(
            Delivery(key="n", kind="digest", recipient="C1", due_at=datetime(2022, 7, 1, 10))
        )
