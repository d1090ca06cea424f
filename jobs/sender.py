"""Sending what the outbox owes: each delivery once, never lost, never late.

A delivery is claimed before it is sent (a conditional update from planned to sending; on
PostgreSQL the candidate row is picked with FOR UPDATE SKIP LOCKED so that several senders
share the work). The claim is a lease from the moment it is taken (the sender's clock: the
tick's time plus the time the tick has taken), renewed as each part is sent, so however slow
Slack is another sender does not take a delivery in flight. Its parts (the main message, then
its thread message and files) are posted in order, each recorded on the delivery as it lands
(the main message's channel and ts, and the count of parts done), so that a retry goes on from
the first part not done. Each send is stamped first (when, Slack's time, and a file's id).
When the outcome of a part is uncertain (any answer that is not a definite Slack error, or a
claim older than the lease, left by a sender that died) the delivery is marked in doubt and
put back: once Slack has certainly finished with the send (`settle` after it) that part is
looked for in Slack (jobs/outbox_slack.py) before it is posted again: nothing Slack has is
posted twice. A 429 while looking defers the delivery, it does not wait inside the tick.
Passing faults retry with backoff across ticks; permanent ones (user_not_found,
channel_not_found, not_in_channel) fail the delivery and tell the admins, once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import or_, select, update

from db.database import Database
from db.models import Delivery, DeliveryState
from jobs.outbox_alerts import owe_alerts
from jobs.outbox_canvas import UNAVAILABLE as CANVAS_UNAVAILABLE
from jobs.outbox_channels import NoChannelError, channel_for, is_channel, refused_in
from jobs.outbox_model import Compose, Composed, NothingToSendError, SendReport, Throttle
from jobs.outbox_slack import (
    Part,
    RateLimitedError,
    SlackParts,
    Where,
    Window,
    error_of,
    posting_client,
    uncertain,
)
from jobs.planner import backoff

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
SETTLE = timedelta(minutes=2)  # after a send, Slack has certainly finished with it
MAX_ATTEMPTS = 8


class _RefusedError(Exception):
    """Slack said no: the part was not posted."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class _InDoubtError(Exception):
    """Slack may or may not have the part: it is looked for once Slack has finished."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class _DeferredError(Exception):
    """Not now (Slack may still be working on the last send, or said 429): at `until`."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until, self.reason = until, reason


class _LostClaimError(Exception):
    """Another sender took the delivery over (this one was taken for dead)."""


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
        lease: timedelta = LEASE,
        settle: timedelta = SETTLE,
        elapsed: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.client = client
        self.slack = SlackParts(client, posting_client(client))
        self.compose = compose
        self.admins = admins
        self.throttle = Throttle(interval)
        self.remember = remember
        self.lease, self.settle, self.elapsed = lease, settle, elapsed
        self._start: tuple[datetime, float] | None = None

    def clock(self) -> datetime:
        """The sender's time: the tick's, plus what the tick has taken since it began."""
        if self._start is None:
            raise RuntimeError("the sender is not running")
        now, started = self._start
        return now + timedelta(seconds=self.elapsed() - started)

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
                        state=DeliveryState.SENDING,
                        claimed_at=self.clock(),  # the lease runs from now, not the tick's start
                        attempts=Delivery.attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                if getattr(claimed, "rowcount", 0) == 1:
                    return session.get(Delivery, delivery_id)

    def _update(self, delivery: Delivery, **values: Any) -> None:
        """Change a delivery this sender holds (its claim is the attempt it made); while it
        stays sending, its lease is renewed."""
        if values.get("state", DeliveryState.SENDING) == DeliveryState.SENDING:
            values["claimed_at"] = self.clock()
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
        for name, value in values.items():
            setattr(delivery, name, value)

    def recover(self) -> int:
        """Claims older than the lease go back to planned, in doubt: the part their sender was
        posting is looked for before it is posted again."""
        with self.database.writes.begin() as session:
            result = session.execute(
                update(Delivery)
                .where(
                    Delivery.state == DeliveryState.SENDING,
                    Delivery.claimed_at < self.clock() - self.lease,
                )
                .values(state=DeliveryState.PLANNED, in_doubt=True, not_before=None)
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # -- sending ------------------------------------------------------------------------------

    def _place(
        self, delivery: Delivery, index: int, part: Part, where: Where | None, channel: str
    ) -> Where:
        """Post one part to `channel` (a user, or a channel's id), unless Slack has it."""
        if delivery.in_doubt and (found := self._found(delivery, index, part, where, channel)):
            return found
        self.throttle.wait(channel)
        stamp = {"attempt_at": self.clock(), "attempt_ts": f"{time.time():.6f}", "file_id": None}
        self._update(delivery, in_doubt=False, **stamp)
        try:
            return self.slack.post(
                delivery.key,
                index,
                part,
                channel,
                where,
                on_file=lambda file_id: self._update(delivery, file_id=file_id),
            )
        except _LostClaimError:
            raise
        except Exception as exc:
            if not uncertain(exc):
                raise _RefusedError(error_of(exc)) from exc
            log.warning("delivery %s part %s: %s", delivery.key, index, error_of(exc))
            raise _InDoubtError(error_of(exc)) from exc

    def _found(
        self, delivery: Delivery, index: int, part: Part, where: Where | None, channel: str
    ) -> Where | None:
        """Where Slack has the part, once it has certainly finished with the last send."""
        if delivery.attempt_at is not None and self.clock() < delivery.attempt_at + self.settle:
            raise _DeferredError(delivery.attempt_at + self.settle, "Slack may still be sending")
        window: Window = None
        if delivery.attempt_ts:
            sent = float(delivery.attempt_ts)
            window = (sent, sent + self.settle.total_seconds())
        try:
            if part.kind == "message":
                conversation = channel
                if not is_channel(delivery.recipient):
                    conversation = self._known_channel(delivery) or self.slack.dm_id(channel)
                return self.slack.find_main(delivery.key, conversation, window)
            found = self.slack.find(delivery.key, index, part, where, window, delivery.file_id)
            return where if found else None
        except RateLimitedError as limited:
            until = self.clock() + timedelta(seconds=limited.retry_after)
            raise _DeferredError(until, "ratelimited while looking for it") from limited
        except Exception as exc:
            raise _InDoubtError(f"cannot look for it: {error_of(exc)}") from exc

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

    def _channel(self, delivery: Delivery) -> str:
        """Where the delivery is posted: the user, or the channel's id (the bot in it)."""
        if not is_channel(delivery.recipient):
            return delivery.recipient
        try:
            return channel_for(self.database, self.slack, delivery.recipient, self.clock())
        except NoChannelError as missing:
            raise _RefusedError(missing.error) from missing
        except RateLimitedError as limited:
            until = self.clock() + timedelta(seconds=limited.retry_after)
            raise _DeferredError(until, "ratelimited finding the channel") from limited
        except Exception as exc:  # listing or joining posts nothing: retried, never in doubt
            raise _RefusedError(error_of(exc)) from exc

    def _nothing_to_send(self, delivery: Delivery, reason: str, now: datetime) -> None:
        found: Where | None = None
        if delivery.parts_done == 0 and delivery.in_doubt:
            channel = self._channel(delivery)
            try:
                found = self._found(delivery, 0, Part("message"), None, channel)
            except _InDoubtError as exc:  # then it stays skipped: nothing more will be sent
                log.warning("cannot look for delivery %s: %s", delivery.key, exc.error)
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
        channel = self._channel(delivery)
        parts = message.parts()
        for index in range(delivery.parts_done, len(parts)):
            try:
                placed = self._place(delivery, index, parts[index], where, channel)
            except _RefusedError as refused:
                if parts[index].kind != "canvas" or refused.error not in CANVAS_UNAVAILABLE:
                    raise
                self._no_canvas(delivery, refused.error)
                placed = where or ("", "")
            progress: dict[str, Any] = {"parts_done": index + 1, "in_doubt": False}
            if index == 0:
                where = placed
                progress |= {"slack_channel": placed[0], "slack_ts": placed[1]}
            self._update(delivery, **progress)
            if index == 0 and self.remember is not None and message.action_ids:
                self.remember(placed[0], placed[1], message.purpose, message.action_ids)

    def _no_canvas(self, delivery: Delivery, error: str) -> None:
        """A workspace without canvases: the rest is sent; the admins are told once."""
        log.warning(
            "delivery %s: no channel canvas in %s: %s", delivery.key, delivery.recipient, error
        )
        once = f"alert:canvas:{delivery.recipient}:{error}"
        owe_alerts(
            self.database, self.admins, delivery, error, self.clock(), what="canvas", once=once
        )

    def send_one(self, delivery: Delivery, now: datetime, report: SendReport) -> None:
        try:
            try:
                try:
                    message: Composed = self.compose(delivery)
                except NothingToSendError as nothing:
                    self._nothing_to_send(delivery, str(nothing), now)
                    return
                self._send_parts(delivery, message)
            except _RefusedError as refused:
                refused_in(self.database, delivery.recipient, refused.error, now)
                self._fault(delivery, refused.error, report, in_doubt=False)
                return
            except _InDoubtError as doubt:
                self._fault(delivery, doubt.error, report, in_doubt=True)
                return
            except _DeferredError as deferred:
                self._defer(delivery, deferred, report)
                return
            self._update(delivery, state=DeliveryState.SENT, sent_at=now, reason=None)
            report.sent += 1
        except _LostClaimError:
            log.warning("delivery %s was taken over by another sender", delivery.key)

    def _defer(self, delivery: Delivery, deferred: _DeferredError, report: SendReport) -> None:
        """Back to planned until `until`, the claim not counted as an attempt."""
        self._update(
            delivery,
            state=DeliveryState.PLANNED,
            reason=deferred.reason,
            not_before=deferred.until,
            attempts=delivery.attempts - 1,
        )
        report.deferred += 1

    def _fault(self, delivery: Delivery, error: str, report: SendReport, *, in_doubt: bool) -> None:
        if (error in PERMANENT and not in_doubt) or delivery.attempts >= MAX_ATTEMPTS:
            reason = f"{error} (it may have been posted)" if in_doubt else error
            self._update(delivery, state=DeliveryState.FAILED, reason=reason, in_doubt=in_doubt)
            self.alert(delivery, error, self._start[0] if self._start else self.clock())
            report.failed += 1
        else:
            wait = backoff(delivery.attempts)
            self._update(
                delivery,
                state=DeliveryState.PLANNED,
                reason=error,
                in_doubt=in_doubt,
                not_before=self.clock() + (max(wait, self.settle) if in_doubt else wait),
            )
            report.retried += 1

    def alert(self, delivery: Delivery, error: str, now: datetime) -> None:
        """Tell each admin once that a delivery could not be made."""
        owe_alerts(self.database, self.admins, delivery, error, now)

    def run(
        self, now: datetime, *, limit: int = 10_000, started: float | None = None
    ) -> SendReport:
        """Send what is owed at `now`; `started`: when the tick began (`elapsed`'s clock), so
        the sender's clock includes the time the tick took before sending."""
        self._start = (now, self.elapsed() if started is None else started)
        report = SendReport(recovered=self.recover())
        for _ in range(limit):
            delivery = self.claim(now)
            if delivery is None:
                break
            self.send_one(delivery, now, report)
        return report
