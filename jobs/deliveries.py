"""The outbox's kinds of delivery and their payloads, typed: one dataclass per kind, written
to `Delivery.payload` with `to_payload` and read back with `from_payload` (which also reads
what earlier versions stored)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jobs.alerts import DeliveryAlert


@dataclass(frozen=True)
class NudgePayload:
    """The first reminder to an owner: the board, and the actions that need an update."""

    board: str
    actions: list[int] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        return {"board": self.board, "actions": list(self.actions)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> NudgePayload:
        return cls(
            board=str(payload.get("board") or ""),
            actions=[int(a) for a in payload.get("actions") or []],
        )


@dataclass(frozen=True)
class Nudge2Payload(NudgePayload):
    """The second reminder: only the actions still without an update."""


@dataclass(frozen=True)
class DigestPayload:
    """A board's digest, to its secretary or its channel."""

    board: str

    def to_payload(self) -> dict[str, Any]:
        return {"board": self.board}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> DigestPayload:
        return cls(board=str(payload.get("board") or ""))


@dataclass(frozen=True)
class DeadlinePayload:
    """A statutory reminder (jobs/statutory.py): the plan, its deadline when it was planned,
    and how many working days before it the reminder is."""

    plan: str
    deadline: date
    before: int

    def to_payload(self) -> dict[str, Any]:
        return {"plan": self.plan, "deadline": self.deadline.isoformat(), "before": self.before}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> DeadlinePayload:
        return cls(
            plan=str(payload.get("plan") or ""),
            deadline=date.fromisoformat(str(payload["deadline"])),
            before=int(payload.get("before") or 0),
        )


BoardPayload = NudgePayload | DigestPayload  # the kinds about a board's meeting
Payload = BoardPayload | DeadlinePayload | DeliveryAlert
PAYLOADS: dict[
    str, type[NudgePayload] | type[DigestPayload] | type[DeadlinePayload] | type[DeliveryAlert]
] = {
    "nudge": NudgePayload,
    "nudge2": Nudge2Payload,
    "digest": DigestPayload,
    "deadline": DeadlinePayload,
    "alert": DeliveryAlert,
}


def read_payload(kind: str, payload: Mapping[str, Any]) -> Payload:
    """A stored delivery's payload, as the dataclass of its kind."""
    try:
        return PAYLOADS[kind].from_payload(payload)
    except KeyError:
        raise ValueError(f"no such kind of delivery: {kind!r}") from None
