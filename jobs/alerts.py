"""What an admin is told when a delivery fails: one payload, written by the sender and read
when the alert is composed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class DeliveryAlert:
    """A delivery that could not be made: which, to whom, and Slack's error."""

    delivery_id: int
    key: str
    kind: str  # "nudge", "nudge2", "digest", "deadline"
    recipient: str  # a Slack user id, a channel id or a #channel name
    error: str  # Slack's error code, or what went wrong
    board: str | None = None  # the board's key
    meeting_id: int | None = None

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> DeliveryAlert:
        """Also reads the payload written before this class ({"delivery", "error"})."""
        delivery_id = int(payload.get("delivery_id", payload.get("delivery")) or 0)
        meeting = payload.get("meeting_id")
        return cls(
            delivery_id=delivery_id,
            key=str(payload.get("key") or f"delivery {delivery_id}"),
            kind=str(payload.get("kind") or ""),
            recipient=str(payload.get("recipient") or ""),
            error=str(payload.get("error") or "unknown error"),
            board=str(payload["board"]) if payload.get("board") else None,
            meeting_id=int(meeting) if meeting is not None else None,
        )
