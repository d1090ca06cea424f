"""Owners between meetings: a sent nudge kept up to date in place (chat.update) as each of its
actions gets its update, *No change since last time* (an update saying so, on each action of
the nudge not updated since it was sent) and *Remind me in 2 days* (once a meeting, never at or
after the digest: a reminder is a delivery of its own, `remind:<meeting>:<user>`)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.database import Database
from db.models import (
    Action,
    Delivery,
    DeliveryState,
    Meeting,
    Update,
    UpdateSource,
)
from db.session import insert_new
from db.updates import AlreadyLoggedError, UpdateRefusedError, UpdateRequest, record_update
from jobs.deliveries import NudgePayload, read_payload
from jobs.outbox_model import Compose, NothingToSendError
from jobs.schedule import send_times

log = logging.getLogger(__name__)
NUDGES = ("nudge", "nudge2", "remind")
NO_CHANGE = "No change since last time."
REMIND_AFTER = timedelta(days=2)
GONE = {"message_not_found", "cant_update_message", "channel_not_found", "is_archived"}


def nudge_actions(delivery: Delivery) -> list[int]:
    payload = read_payload(delivery.kind, delivery.payload)
    return list(payload.actions) if isinstance(payload, NudgePayload) else []


def nudge_of(session: Session, delivery_id: int, user: str) -> Delivery:
    """A nudge sent to this user (a button in it was pressed), or refused."""
    found = session.get(Delivery, delivery_id)
    if found is None or found.kind not in NUDGES or found.recipient != user:
        raise UpdateRefusedError("That reminder is not yours, or no longer there.")
    return found


def _latest_at(session: Session, action_ids: Collection[int]) -> dict[int, datetime]:
    """When each action's latest standing update was logged (one statement)."""
    rows = session.execute(
        select(Action.id, Update.created_at)
        .join(Update, Update.id == Action.latest_update_id)
        .where(Action.id.in_(list(action_ids)))
    )
    return {int(action_id): at for action_id, at in rows}


def no_change(
    session: Session, delivery_id: int, user: str, *, today: date, admins: Collection[str],
    now: datetime,
) -> int:  # fmt: skip
    """Log "No change since last time." on each action of the nudge not updated since it was
    sent (pressed twice, once: each is keyed by the nudge and the action); how many."""
    nudge = nudge_of(session, delivery_id, user)
    sent = nudge.sent_at or nudge.due_at
    actions = nudge_actions(nudge)
    latest = _latest_at(session, actions)
    logged = 0
    for action_id in actions:
        if latest.get(action_id) is not None and latest[action_id] > sent:
            continue
        try:
            record_update(
                session,
                UpdateRequest(
                    action_id=action_id,
                    author=user,
                    text=NO_CHANGE,
                    source=UpdateSource.SYSTEM,
                    idempotency_key=f"nochange:{nudge.id}:{action_id}",
                ),
                today=today,
                admins=admins,
                clock=lambda: now,
            )
            logged += 1
        except (AlreadyLoggedError, UpdateRefusedError):
            continue  # logged already, or no longer theirs or open: nothing to say for it
    return logged


def remind_later(
    session: Session, delivery_id: int, user: str, now: datetime, tz: ZoneInfo
) -> datetime:
    """Owe the user this nudge again in 2 days, once a meeting, never at or after the digest;
    when it will go (the first time's, if asked again)."""
    nudge = nudge_of(session, delivery_id, user)
    meeting = session.get(Meeting, nudge.meeting_id) if nudge.meeting_id else None
    if meeting is None:
        raise UpdateRefusedError("That meeting is no longer there.")
    digest_at = send_times(meeting.board, meeting.held_on, tz).digest
    key = f"remind:{nudge.meeting_id}:{user}"
    earlier = session.scalar(select(Delivery.due_at).where(Delivery.key == key))
    if earlier is not None:
        return earlier
    due = now + REMIND_AFTER
    if due >= digest_at:
        raise UpdateRefusedError(
            "The board's digest goes out before then, so there is no time for a reminder in "
            "2 days: please update your actions now (or press *No change since last time*)."
        )
    row: dict[str, Any] = {"key": key, "kind": "remind", "recipient": user}
    row |= {"meeting_id": nudge.meeting_id}
    row |= {"due_at": due, "payload": dict(nudge.payload), "state": DeliveryState.PLANNED}
    insert_new(session, Delivery, [row | {"attempts": 0}], unique=["key"])
    return due


def stale_nudges(session: Session, today: date) -> list[Delivery]:
    """Sent nudges of meetings still ahead with an action updated since they were last shown."""
    nudges = list(
        session.scalars(
            select(Delivery)
            .join(Meeting, Meeting.id == Delivery.meeting_id)
            .where(
                Delivery.kind.in_(NUDGES),
                Delivery.state == DeliveryState.SENT,
                Delivery.slack_ts.is_not(None),
                Meeting.held_on >= today,
            )
            .order_by(Delivery.id)
        )
    )
    of = {n.id: nudge_actions(n) for n in nudges}
    latest = _latest_at(session, {a for ids in of.values() for a in ids}) if nudges else {}

    def stale(nudge: Delivery) -> bool:
        shown = nudge.refreshed_at or nudge.sent_at or nudge.due_at
        return any(latest.get(a) is not None and latest[a] > shown for a in of[nudge.id])

    return [n for n in nudges if stale(n)]


def mark_shown(session: Session, delivery_id: int, now: datetime) -> None:
    """The nudge was updated in place as things stood at `now`."""
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(refreshed_at=now))


def refresh_nudges(database: Database, client: WebClient, compose: Compose, now: datetime,
                   tz: ZoneInfo) -> int:  # fmt: skip
    """Update sent nudges in place (chat.update) where an action has been updated since; how
    many. A message gone or not the bot's is left; a passing fault is tried at the next tick."""
    with database.sessions() as session:
        stale = stale_nudges(session, now.astimezone(tz).date())
    done = 0
    for nudge in stale:
        try:
            message = compose(nudge)
            client.chat_update(
                channel=nudge.slack_channel or "", ts=nudge.slack_ts or "",
                text=message.text, blocks=message.blocks,
            )  # fmt: skip
            done += 1
        except NothingToSendError:
            pass
        except SlackApiError as exc:
            if exc.response.get("error") not in GONE:
                log.warning("nudge %s not updated: %s", nudge.key, exc.response.get("error"))
                continue
        with database.writes.begin() as session:
            mark_shown(session, nudge.id, now)
    return done
