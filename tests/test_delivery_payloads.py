"""Each kind of delivery has a typed payload; what earlier versions stored still reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from db.database import Database
from db.models import Delivery
from jobs.alerts import DeliveryAlert
from jobs.deliveries import (
    DigestPayload,
    Nudge2Payload,
    NudgePayload,
    Payload,
    read_payload,
)
from jobs.planner import Owed

# payloads exactly as the planner and the sender stored them before they were typed
STORED: list[tuple[str, dict[str, Any], Payload]] = [
    ("nudge", {"board": "aeb", "actions": [3, 1, 2]}, NudgePayload("aeb", [3, 1, 2])),
    ("nudge2", {"board": "aeb", "actions": [7]}, Nudge2Payload("aeb", [7])),
    ("digest", {"board": "g2g"}, DigestPayload("g2g")),
    (
        "alert",
        {
            "delivery_id": 9,
            "key": "digest:4:C1",
            "kind": "digest",
            "recipient": "C1",
            "error": "channel_not_found",
            "board": "aeb",
            "meeting_id": 4,
        },
        DeliveryAlert(9, "digest:4:C1", "digest", "C1", "channel_not_found", "aeb", 4),
    ),
]


@pytest.mark.parametrize(("kind", "stored", "typed"), STORED, ids=[s[0] for s in STORED])
def test_stored_payloads_read_as_their_kind_and_write_back_the_same(
    kind: str, stored: dict[str, Any], typed: Payload
) -> None:
    read = read_payload(kind, stored)
    assert read == typed
    assert type(read) is type(typed)
    assert read.to_payload() == stored


def test_the_oldest_alert_payload_still_reads() -> None:
    read = read_payload("alert", {"delivery": 7, "error": "channel_not_found"})
    assert isinstance(read, DeliveryAlert)
    assert (read.delivery_id, read.error, read.key) == (7, "channel_not_found", "delivery 7")


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="no such kind"):
        read_payload("postcard", {})


def test_a_payload_must_match_the_kind_owed() -> None:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    with pytest.raises(TypeError):
        Owed("nudge:1:U1", "nudge", "U1", 1, now, Nudge2Payload("aeb", [1]))
    with pytest.raises(TypeError):
        Owed("digest:1:U1", "digest", "U1", 1, now, NudgePayload("aeb", [1]))


def test_payloads_stored_in_a_database_read_back(empty_db: Database) -> None:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    with empty_db.writes.begin() as session:
        for n, (kind, stored, _typed) in enumerate(STORED):
            session.add(
                Delivery(key=f"k{n}", kind=kind, recipient="U1", due_at=now, payload=stored)
            )
    with empty_db.sessions() as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.key)).all()
        assert [read_payload(d.kind, d.payload) for d in rows] == [s[2] for s in STORED]
