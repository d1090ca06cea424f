"""Versions of an update: an edit adds a version superseding the last, a deletion or an undo a
retracting one that restores the status it set (if nothing has changed it since)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Action, ActionStatus, Person, Rag, Update, utcnow
from db.queries import get_or_create_person
from db.updates import (
    UNDO_WINDOW,
    UpdateRefusedError,
    clean_text,
    find_update,
    is_admin,
    lock_action,
    rag_for,
    refresh_latest,
    refuse_if_stored,
    write_audit,
)


def newest_version(session: Session, update_id: int) -> Update | None:
    first = session.get(Update, update_id)
    if first is None:
        return None
    if first.slack_channel and first.slack_ts:
        return find_update(session, first.slack_channel, first.slack_ts)
    current = first
    while True:
        later = session.scalar(select(Update).where(Update.supersedes_id == current.id))
        if later is None:
            return current
        current = later


def _next_version(
    session: Session,
    previous: Update,
    actor: Person,
    *,
    text: str,
    status: ActionStatus | None,
    rag: Rag | None,
    retracted: bool,
    event_id: str | None,
    now: datetime | None,
    idempotency_key: str | None = None,
) -> tuple[Update, Action]:
    action = lock_action(session, previous.action_id)
    restore = retracted and action.status == previous.status_to and action.rag == previous.rag_to
    if restore:
        new_status, new_rag = previous.status_from or action.status, previous.rag_from
    elif retracted:
        new_status, new_rag = action.status, action.rag
    else:
        new_status, new_rag = rag_for(action, status, rag)
    version = Update(
        created_at=now or utcnow(),
        action=action,
        version=previous.version + 1,
        supersedes_id=previous.id,
        author=actor,
        on_behalf_of=previous.on_behalf_of,
        text=text,
        status_from=action.status,
        status_to=new_status,
        rag_from=action.rag,
        rag_to=new_rag,
        evidence=previous.evidence,
        retracted=retracted,
        source=previous.source,
        slack_channel=previous.slack_channel,
        slack_ts=previous.slack_ts,
        event_id=event_id,
        permalink=previous.permalink,
        idempotency_key=idempotency_key,
    )
    session.add(version)
    action.status, action.rag = new_status, new_rag
    if retracted and previous.due_to is not None and action.due == previous.due_to:
        action.due = previous.due_from
    session.flush()
    refresh_latest(session, action)
    return version, action


def revise_update(
    session: Session,
    update_id: int,
    actor_id: str,
    *,
    text: str,
    status: ActionStatus | None = None,
    rag: Rag | None = None,
    event_id: str | None = None,
    admins: Collection[str] = (),
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Update:
    """An edited update: a new version with the new text (and status, if one is given). The
    same request again (its idempotency key) raises AlreadyLoggedError."""
    first = session.get(Update, update_id)
    if first is not None:
        lock_action(session, first.action_id)
        refuse_if_stored(session, idempotency_key)
    previous = newest_version(session, update_id)
    if previous is None or previous.retracted:
        raise UpdateRefusedError("That update was withdrawn, so it cannot be edited.")
    actor = get_or_create_person(session, actor_id)
    if previous.author_id != actor.id and not is_admin(actor, admins):
        raise UpdateRefusedError("Only whoever wrote an update (or an admin) can edit it.")
    version, action = _next_version(
        session,
        previous,
        actor,
        text=clean_text(text),
        status=status,
        rag=rag,
        retracted=False,
        event_id=event_id,
        now=now,
        idempotency_key=idempotency_key,
    )
    write_audit(session, "edit", actor, action, version, status=status, rag=rag)
    return version


def retract_update(
    session: Session,
    update_id: int,
    actor_id: str,
    *,
    now: datetime,
    undo: bool = False,
    event_id: str | None = None,
    admins: Collection[str] = (),
) -> Update:
    """Withdraw an update (its message was deleted, or it was undone): the status it set goes
    back to what it was, if nothing has changed it since."""
    previous = newest_version(session, update_id)
    if previous is None or previous.retracted:
        raise UpdateRefusedError("That update has already been withdrawn.")
    actor = get_or_create_person(session, actor_id)
    if previous.author_id != actor.id and not is_admin(actor, admins):
        raise UpdateRefusedError("Only whoever wrote an update (or an admin) can withdraw it.")
    first = session.get(Update, update_id)
    if undo and first is not None and now - first.created_at > UNDO_WINDOW:
        raise UpdateRefusedError(
            "Undo works for 10 minutes after an update. Log a new update "
            "to correct it; the history keeps both."
        )
    version, action = _next_version(
        session,
        previous,
        actor,
        text=previous.text,
        status=None,
        rag=None,
        retracted=True,
        event_id=event_id,
        now=now,
    )
    write_audit(session, "undo" if undo else "retract", actor, action, version)
    return version
