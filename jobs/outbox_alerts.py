"""Telling the admins that a delivery, or a part of one, could not be made: an alert each,
through the outbox, once (an alert's key is unique)."""

from __future__ import annotations

from datetime import datetime

from db.database import Database
from db.models import Delivery
from jobs.alerts import DeliveryAlert
from jobs.deliveries import BoardPayload, read_payload
from jobs.planner import Owed, insert_owed


def owe_alerts(
    database: Database,
    admins: tuple[str, ...],
    delivery: Delivery,
    error: str,
    now: datetime,
    *,
    what: str | None = None,
    once: str | None = None,
) -> None:
    """An alert to each admin about `delivery` (or, `what`, a part of it: "canvas"); `once`:
    the alert's key, where it should be told once ever rather than once a delivery."""
    if delivery.kind == "alert":
        return
    payload = read_payload(delivery.kind, delivery.payload)
    board = payload.board if isinstance(payload, BoardPayload) else None
    alert = DeliveryAlert(
        delivery_id=delivery.id,
        key=delivery.key,
        kind=what or delivery.kind,
        recipient=delivery.recipient,
        error=error,
        board=str(board) if board else None,
        meeting_id=delivery.meeting_id,
    )
    key = once or f"alert:{delivery.id}"
    with database.writes.begin() as session:
        insert_owed(
            session, [Owed(f"{key}:{admin}", "alert", admin, None, now, alert) for admin in admins]
        )
