"""What the outbox sends (a delivery composed into its parts) and what a run of it did."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from db.models import Delivery
from jobs.outbox_slack import Part

Compose = Callable[[Delivery], "Composed"]


class NothingToSendError(Exception):
    """What the delivery was for no longer needs saying (e.g. every action was updated)."""


@dataclass
class Composed:
    """A delivery's message, its thread replies and files, and the actions it is about."""

    text: str
    blocks: list[dict[str, Any]]
    thread: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)
    purpose: str = "nudge"
    canvas: tuple[str, str] | None = None  # the channel canvas kept after it: title, markdown

    def parts(self) -> list[Part]:
        """In the order they are posted: the message, its thread messages, its files, and the
        channel canvas it keeps."""
        return [
            Part("message", self.text, self.blocks),
            *(Part("reply", text, blocks) for text, blocks in self.thread),
            *(Part("file", filename=name, content=content) for name, content in self.files),
            *([Part("canvas", self.canvas[1], filename=self.canvas[0])] if self.canvas else []),
        ]


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0
    deferred: int = 0

    def __str__(self) -> str:
        return (
            f"sent {self.sent}, to retry {self.retried}, failed {self.failed}, "
            f"recovered {self.recovered}, deferred {self.deferred}"
        )


class Throttle:
    """About one message a second to each channel."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        if self.interval <= 0:
            return
        elapsed = time.monotonic() - self.last.get(channel, 0.0)
        if elapsed < self.interval:
            time.sleep(self.interval - elapsed)
        self.last[channel] = time.monotonic()
