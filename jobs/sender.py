"""Sending what the outbox owes: each delivery once, never lost, never late.

A delivery is claimed before it is sent (a conditional update from planned to sending; on
PostgreSQL the candidate row is picked with FOR UPDATE SKIP LOCKED so that several senders
share the work), posted with message metadata naming its key, and marked sent with its ts.
A claim older than the lease belongs to a sender that died: if Slack has a message with that
key the delivery is marked sent, else it is sent again. Passing faults (429 after the client's
own waits, 5xx, timeouts) retry with backoff across ticks; permanent ones (user_not_found,
channel_not_found, not_in_channel) fail the delivery and tell the admins, once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select, update

from db.database import Database
from db.models import Delivery, DeliveryState
from jobs.planner import Owed, backoff, insert_owed

log = logging.getLogger(__name__)

PERMANENT = {
    "user_not_found",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "cannot_dm_bot",
    "user_disabled",
    "messages_tab_disabled",
}
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
METADATA_EVENT = "ofsted_delivery"

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


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0

    def __str__(self) -> str:
        return (
            f"sent {self.sent}, to retry {self.retried}, failed {self.failed}, "
            f"recovered {self.recovered}"
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


class Sender:
    def __init__(
        self,
        database: Database,
        client: WebClient,
        compose: Compose,
        *,
        admins: tuple[str, ...],
        interval: float = 1.0,
        remember: Callable[[str, str, str, list[int]], None] | None = None,
    ) -> None:
        self.database = database
        self.client = client
        self.compose = compose
        self.admins = admins
        self.throttle = Throttle(interval)
        self.remember = remember

    # -- claiming -----------------------------------------------------------------------------

    def claim(self, now: datetime) -> Delivery | None:
        due = or_(Delivery.not_before.is_(None), Delivery.not_before <= now)
        while True:
            with self.database.writes.begin() as session:
                query = (
                    select(Delivery.id)
                    .where(Delivery.state == DeliveryState.PLANNED, Delivery.due_at <= now, due)
                    .order_by(Delivery.due_at, Delivery.id)
                    .limit(1)
                )
                if session.get_bind().dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                delivery_id = session.scalar(query)
                if delivery_id is None:
                    return None
                claimed = session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PLANNED)
                    .values(
                        state=DeliveryState.SENDING, claimed_at=now, attempts=Delivery.attempts + 1
                    )
                    .execution_options(synchronize_session=False)
                )
                if getattr(claimed, "rowcount", 0) == 1:
                    return session.get(Delivery, delivery_id)

    def _finish(self, delivery_id: int, **values: Any) -> None:
        with self.database.writes.begin() as session:
            session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    # -- recovering claims of senders that died -------------------------------------------------

    def _already_posted(self, delivery: Delivery) -> tuple[str, str] | None:
        channel = delivery.recipient
        if channel.startswith(("U", "W")):
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        history = self.client.conversations_history(
            channel=channel, limit=100, include_all_metadata=True
        )
        messages: list[dict[str, Any]] = history.get("messages", [])
        for posted in messages:
            payload = (posted.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == delivery.key:
                return channel, str(posted["ts"])
        return None

    def recover(self, now: datetime) -> int:
        with self.database.sessions() as session:
            stale = list(
                session.scalars(
                    select(Delivery).where(
                        Delivery.state == DeliveryState.SENDING, Delivery.claimed_at < now - LEASE
                    )
                )
            )
        recovered = 0
        for delivery in stale:
            try:
                found = self._already_posted(delivery)
            except SlackApiError as exc:
                log.warning("cannot check delivery %s: %s", delivery.key, exc.response.get("error"))
                continue
            values: dict[str, Any] = (
                {
                    "state": DeliveryState.SENT,
                    "slack_channel": found[0],
                    "slack_ts": found[1],
                    "sent_at": now,
                }
                if found
                else {"state": DeliveryState.PLANNED}
            )
            with self.database.writes.begin() as session:
                result = session.execute(
                    update(Delivery)
                    .where(
                        Delivery.id == delivery.id,
                        Delivery.state == DeliveryState.SENDING,
                        Delivery.claimed_at == delivery.claimed_at,
                    )
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                recovered += int(getattr(result, "rowcount", 0) or 0)
        return recovered

    # -- sending ------------------------------------------------------------------------------

    def post(self, delivery: Delivery, message: Composed) -> tuple[str, str]:
        self.throttle.wait(delivery.recipient)
        posted = self.client.chat_postMessage(
            channel=delivery.recipient,
            text=message.text,
            blocks=message.blocks,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": delivery.key}},
        )
        channel, ts = str(posted["channel"]), str(posted["ts"])
        for text, blocks in message.thread:
            self.throttle.wait(delivery.recipient)
            self.client.chat_postMessage(
                channel=channel,
                thread_ts=ts,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
        if message.files:
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=ts,
                file_uploads=[
                    {"content": content, "filename": name, "title": name}
                    for name, content in message.files
                ],
            )
        return channel, ts

    def send_one(self, delivery: Delivery, now: datetime, report: SendReport) -> None:
        try:
            message: Composed = self.compose(delivery)
            channel, ts = self.post(delivery, message)
        except NothingToSendError as nothing:
            self._finish(delivery.id, state=DeliveryState.SKIPPED, reason=str(nothing))
            return
        except SlackApiError as exc:
            error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            if error in PERMANENT or delivery.attempts >= MAX_ATTEMPTS:
                self._finish(delivery.id, state=DeliveryState.FAILED, reason=error)
                self.alert(delivery, error, now)
                report.failed += 1
            else:
                self._finish(
                    delivery.id,
                    state=DeliveryState.PLANNED,
                    reason=error,
                    not_before=now + backoff(delivery.attempts),
                )
                report.retried += 1
            return
        except OSError as exc:  # timeouts, refused or dropped connections: try again later
            self._finish(
                delivery.id,
                state=DeliveryState.PLANNED,
                reason=repr(exc)[:200],
                not_before=now + backoff(delivery.attempts),
            )
            report.retried += 1
            return
        self._finish(
            delivery.id,
            state=DeliveryState.SENT,
            slack_channel=channel,
            slack_ts=ts,
            sent_at=now,
            reason=None,
        )
        if self.remember is not None and message.action_ids:
            self.remember(channel, ts, message.purpose, message.action_ids)
        report.sent += 1

    def alert(self, delivery: Delivery, error: str, now: datetime) -> None:
        """Tell each admin once that a delivery could not be made."""
        if delivery.kind == "alert":
            return
        with self.database.writes.begin() as session:
            insert_owed(
                session,
                [
                    Owed(
                        f"alert:{delivery.id}:{admin}",
                        "alert",
                        admin,
                        None,
                        now,
                        {"delivery": delivery.id, "error": error},
                    )
                    for admin in self.admins
                ],
            )

    def run(self, now: datetime, *, limit: int = 10_000) -> SendReport:
        report = SendReport(recovered=self.recover(now))
        for _ in range(limit):
            delivery = self.claim(now)
            if delivery is None:
                break
            self.send_one(delivery, now, report)
        return report
