"""Sending what the outbox owes: each delivery once, never lost, never late.

A delivery is claimed before it is sent (a conditional update from planned to sending; on
PostgreSQL the candidate row is picked with FOR UPDATE SKIP LOCKED so that several senders
share the work). Its parts (the main message, then its thread message and files) are posted in
order, each recorded on the delivery as it lands (the main message's channel and ts, and the
count of parts done), so that a retry goes on from the first part not done. When the outcome of
a part is uncertain (a timeout, a dropped connection, a 5xx, or a claim older than the lease,
left by a sender that died) the delivery is marked in doubt, and that part is looked for in
Slack by its metadata (jobs/outbox_slack.py) before it is posted again: nothing Slack has is
posted twice. Passing faults retry with backoff across ticks; permanent ones (user_not_found,
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
from sqlalchemy import or_, select, update

from db.database import Database
from db.models import Delivery, DeliveryState
from jobs.alerts import DeliveryAlert
from jobs.deliveries import BoardPayload, read_payload
from jobs.outbox_slack import (
    Part,
    SlackParts,
    Where,
    error_of,
    posting_client,
    uncertain,
)
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
TRIES = 3  # posts of one part within a claim when Slack's answers are lost

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

    def parts(self) -> list[Part]:
        """In the order they are posted: the message, its thread messages, its files."""
        return [
            Part("message", self.text, self.blocks),
            *(Part("reply", text, blocks) for text, blocks in self.thread),
            *(Part("file", filename=name, content=content) for name, content in self.files),
        ]


class _RefusedError(Exception):
    """Slack said no: the part was not posted."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class _InDoubtError(Exception):
    """Slack may or may not have the part, and it could not be found out now."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class _LostClaimError(Exception):
    """Another sender took the delivery over (this one was taken for dead)."""


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
        pause: float = 0.5,
    ) -> None:
        self.database = database
        self.client = client
        self.slack = SlackParts(client, posting_client(client))
        self.compose = compose
        self.admins = admins
        self.throttle = Throttle(interval)
        self.remember = remember
        self.pause = pause  # before posting a part again within a claim (doubled each time)

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

    def _update(self, delivery: Delivery, **values: Any) -> None:
        """Change a delivery this sender holds (its claim is the attempt it made)."""
        with self.database.writes.begin() as session:
            result = session.execute(
                update(Delivery)
                .where(
                    Delivery.id == delivery.id,
                    Delivery.state == DeliveryState.SENDING,
                    Delivery.attempts == delivery.attempts,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                raise _LostClaimError(delivery.key)

    # -- recovering claims of senders that died -------------------------------------------------

    def recover(self, now: datetime) -> int:
        """Claims older than the lease go back to planned, in doubt: the part their sender was
        posting is looked for before it is posted again."""
        with self.database.writes.begin() as session:
            result = session.execute(
                update(Delivery)
                .where(Delivery.state == DeliveryState.SENDING, Delivery.claimed_at < now - LEASE)
                .values(state=DeliveryState.PLANNED, in_doubt=True, not_before=None)
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # -- sending ------------------------------------------------------------------------------

    def _place(self, delivery: Delivery, index: int, part: Part, where: Where | None) -> Where:
        """Post one part, unless Slack already has it; up to TRIES posts when answers are lost."""
        in_doubt = delivery.in_doubt
        for attempt in range(1, TRIES + 1):
            if in_doubt:
                try:
                    if part.kind == "message":
                        found = self.slack.find_main(
                            delivery.key, delivery.recipient, self._known_channel(delivery)
                        )
                        if found is not None:
                            return found
                    elif self.slack.find(delivery.key, index, part, delivery.recipient, where):
                        assert where is not None
                        return where
                except Exception as exc:
                    raise _InDoubtError(f"cannot look for it: {error_of(exc)}") from exc
            self.throttle.wait(delivery.recipient)
            try:
                return self.slack.post(delivery.key, index, part, delivery.recipient, where)
            except Exception as exc:
                if not uncertain(exc):
                    raise _RefusedError(error_of(exc)) from exc
                log.warning("delivery %s part %s: %s", delivery.key, index, error_of(exc))
                if attempt == TRIES:
                    raise _InDoubtError(error_of(exc)) from exc
                in_doubt = True
                time.sleep(self.pause * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _known_channel(self, delivery: Delivery) -> str | None:
        """The conversation an earlier delivery to the same recipient went to, if any."""
        with self.database.sessions() as session:
            return session.scalar(
                select(Delivery.slack_channel)
                .where(
                    Delivery.recipient == delivery.recipient, Delivery.slack_channel.is_not(None)
                )
                .limit(1)
            )

    def _nothing_to_send(self, delivery: Delivery, reason: str, now: datetime) -> None:
        found: Where | None = None
        if delivery.parts_done == 0 and delivery.in_doubt:
            try:
                found = self.slack.find_main(
                    delivery.key, delivery.recipient, self._known_channel(delivery)
                )
            except Exception as exc:  # then it stays skipped: nothing more will be sent
                log.warning("cannot look for delivery %s: %s", delivery.key, error_of(exc))
        if delivery.parts_done or found:
            values: dict[str, Any] = {}
            if found is not None:
                values = {"slack_channel": found[0], "slack_ts": found[1]}
            self._update(
                delivery,
                state=DeliveryState.SENT,
                sent_at=now,
                reason=f"partly sent: {reason}",
                in_doubt=False,
                **values,
            )
        else:
            self._update(delivery, state=DeliveryState.SKIPPED, reason=reason, in_doubt=False)

    def _send_parts(self, delivery: Delivery, message: Composed) -> None:
        where = (
            (delivery.slack_channel, delivery.slack_ts)
            if delivery.slack_channel and delivery.slack_ts
            else None
        )
        parts = message.parts()
        for index in range(delivery.parts_done, len(parts)):
            placed = self._place(delivery, index, parts[index], where)
            progress: dict[str, Any] = {"parts_done": index + 1, "in_doubt": False}
            if index == 0:
                where = placed
                progress |= {"slack_channel": placed[0], "slack_ts": placed[1]}
            self._update(delivery, **progress)
            delivery.in_doubt = False
            if index == 0 and self.remember is not None and message.action_ids:
                self.remember(placed[0], placed[1], message.purpose, message.action_ids)

    def send_one(self, delivery: Delivery, now: datetime, report: SendReport) -> None:
        try:
            try:
                message: Composed = self.compose(delivery)
            except NothingToSendError as nothing:
                self._nothing_to_send(delivery, str(nothing), now)
                return
            try:
                self._send_parts(delivery, message)
            except _RefusedError as refused:
                self._fault(delivery, refused.error, now, report, in_doubt=False)
                return
            except _InDoubtError as doubt:
                self._fault(delivery, doubt.error, now, report, in_doubt=True)
                return
            self._update(delivery, state=DeliveryState.SENT, sent_at=now, reason=None)
            report.sent += 1
        except _LostClaimError:
            log.warning("delivery %s was taken over by another sender", delivery.key)

    def _fault(
        self, delivery: Delivery, error: str, now: datetime, report: SendReport, *, in_doubt: bool
    ) -> None:
        if (error in PERMANENT and not in_doubt) or delivery.attempts >= MAX_ATTEMPTS:
            reason = f"{error} (it may have been posted)" if in_doubt else error
            self._update(delivery, state=DeliveryState.FAILED, reason=reason, in_doubt=in_doubt)
            self.alert(delivery, error, now)
            report.failed += 1
        else:
            self._update(
                delivery,
                state=DeliveryState.PLANNED,
                reason=error,
                in_doubt=in_doubt,
                not_before=now + backoff(delivery.attempts),
            )
            report.retried += 1

    def alert(self, delivery: Delivery, error: str, now: datetime) -> None:
        """Tell each admin once that a delivery could not be made."""
        if delivery.kind == "alert":
            return
        payload = read_payload(delivery.kind, delivery.payload)
        board = payload.board if isinstance(payload, BoardPayload) else None
        alert = DeliveryAlert(
            delivery_id=delivery.id,
            key=delivery.key,
            kind=delivery.kind,
            recipient=delivery.recipient,
            error=error,
            board=str(board) if board else None,
            meeting_id=delivery.meeting_id,
        )
        with self.database.writes.begin() as session:
            insert_owed(
                session,
                [
                    Owed(f"alert:{delivery.id}:{admin}", "alert", admin, None, now, alert)
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
