"""Versions of an update: an edit adds a version superseding the last, a deletion or an undo a
retracting one that restores the status it set (if nothing has changed it since).

Each locks the action before it reads which version is the newest, so two withdrawals (or
edits) at once are applied one after the other and the second sees the first. An edit obeys
the rules a new update does (db.updates: who may update the action now, signed off, evidence
for complete), with the same answers.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Action, Person, Update, utcnow
from db.posts import get_or_create_person
from db.status import ActionStatus, Rag
from db.updates import (
    UNDO_WINDOW,
    Clock,
    UpdateRefusedError,
    UpdateRequest,
    check_may_update,
    clean_text,
    find_update,
    is_admin,
    lock_action,
    rag_for,
    refresh_latest,
    refuse_if_stored,
    refuse_invalid,
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
    clock: Clock,
    idempotency_key: str | None = None,
    evidence: str | None = None,
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
        created_at=clock(),
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
        evidence=evidence or previous.evidence,
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
    if status == ActionStatus.COMPLETE:
        action.evidence = version.evidence or text
    session.flush()
    refresh_latest(session, action)
    return version, action


def _locked_newest(session: Session, update_id: int) -> Update | None:
    """The newest version of an update, read once its action is locked."""
    first = session.get(Update, update_id)
    if first is None:
        return None
    lock_action(session, first.action_id)
    return newest_version(session, update_id)


def revise_update(
    session: Session,
    update_id: int,
    actor_id: str,
    *,
    text: str,
    status: ActionStatus | None = None,
    rag: Rag | None = None,
    today: date,
    evidence: str | None = None,
    event_id: str | None = None,
    admins: Collection[str] = (),
    clock: Clock = utcnow,
    idempotency_key: str | None = None,
) -> Update:
    """An edited update: a new version with the new text (and status, if one is given),
    refused wherever a new update with them would be. The same request again (its
    idempotency key) raises AlreadyLoggedError."""
    previous = _locked_newest(session, update_id)
    refuse_if_stored(session, idempotency_key)
    if previous is None or previous.retracted:
        raise UpdateRefusedError("That update was withdrawn, so it cannot be edited.")
    actor = get_or_create_person(session, actor_id)
    if previous.author_id != actor.id and not is_admin(actor, admins):
        raise UpdateRefusedError("Only whoever wrote an update (or an admin) can edit it.")
    action = previous.action  # locked, and read afresh, by _locked_newest
    check_may_update(session, actor, action, today, admins)
    text = clean_text(text)
    evidence = evidence or previous.evidence
    request = UpdateRequest(action.id, actor_id, text, previous.source, status, rag, evidence)
    refuse_invalid(action, request)
    version, action = _next_version(
        session,
        previous,
        actor,
        text=text,
        status=status,
        rag=rag,
        retracted=False,
        event_id=event_id,
        clock=clock,
        idempotency_key=idempotency_key,
        evidence=evidence,
    )
    write_audit(session, "edit", actor, action, version, status=status, rag=rag)
    return version


def retract_update(
    session: Session,
    update_id: int,
    actor_id: str,
    *,
    clock: Clock = utcnow,
    undo: bool = False,
    event_id: str | None = None,
    admins: Collection[str] = (),
) -> Update:
    """Withdraw an update (its message was deleted, or it was undone): the status it set goes
    back to what it was, if nothing has changed it since."""
    previous = _locked_newest(session, update_id)
    if previous is None or previous.retracted:
        raise UpdateRefusedError("That update has already been withdrawn.")
    actor = get_or_create_person(session, actor_id)
    if previous.author_id != actor.id and not is_admin(actor, admins):
        raise UpdateRefusedError("Only whoever wrote an update (or an admin) can withdraw it.")
    first = session.get(Update, update_id)
    if undo and first is not None and clock() - first.created_at > UNDO_WINDOW:
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
        clock=clock,
    )
    write_audit(session, "undo" if undo else "retract", actor, action, version)
    return version
