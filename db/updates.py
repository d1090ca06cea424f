"""Logging progress on actions: who may, what is recorded, and the audit trail it leaves.

Updates are immutable. An edit adds a new version superseding the last; a deletion or an undo
adds a retracting version. Each change to an action and each update writes an audit entry.
All functions work inside the caller's transaction (`Database.writes`) and lock the action row
first, so concurrent updates of one action are applied one after another.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from db.models import (
    Action,
    ActionStatus,
    AuditEntry,
    Board,
    Cover,
    Person,
    Post,
    Rag,
    Update,
    UpdateSource,
    board_plan,
    utcnow,
)
from db.queries import get_or_create_person

UNDO_WINDOW = timedelta(minutes=10)
LINK = re.compile(r"https?://\S+|<https?://[^>]+>")
EVIDENCE_WORDS = 4


class UpdateRefusedError(Exception):
    """The update cannot be made; the message says why, politely, and who can."""


@dataclass(frozen=True)
class UpdateRequest:
    action_id: int
    author: str
    text: str
    source: UpdateSource
    status: ActionStatus | None = None
    rag: Rag | None = None
    evidence: str | None = None
    due: date | None = None
    due_reason: str | None = None
    escalation: str | None = None
    channel: str | None = None
    ts: str | None = None
    event_id: str | None = None
    permalink: str | None = None


def lock_action(session: Session, action_id: int) -> Action:
    action = session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(joinedload(Action.owner_post).joinedload(Post.holder))
        .with_for_update(of=Action)
    )
    if action is None:
        raise UpdateRefusedError("That action is no longer in the plan.")
    return action


def is_admin(person: Person, admins: Collection[str]) -> bool:
    return person.is_admin or person.slack_user_id in admins


def covers(session: Session, person: Person, post_id: int, today: date) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    Cover.post_id == post_id,
                    Cover.person_id == person.id,
                    Cover.starts_on <= today,
                    Cover.ends_on >= today,
                )
            )
        )
    )


def who_can(action: Action) -> str:
    post = action.owner_post
    if post is None:
        return "an admin (this action has no owner post yet)"
    holder = f" (<@{post.holder.slack_user_id}>)" if post.holder else ""
    return f"the {post.title}{holder}, whoever covers that post, or an admin"


def check_may_update(
    session: Session, person: Person, action: Action, today: date, admins: Collection[str]
) -> Person | None:
    """Who the update is on behalf of (None: the author's own); refused if not allowed."""
    post = action.owner_post
    if post is not None and (
        post.holder_id == person.id or covers(session, person, post.id, today)
    ):
        return None
    if is_admin(person, admins):
        return post.holder if post is not None and post.holder is not None else None
    raise UpdateRefusedError(
        f"Only {who_can(action)} can update action {action.ref}. Nothing was changed."
    )


def may_update(
    session: Session, person: Person, action: Action, today: date, admins: Collection[str]
) -> bool:
    try:
        check_may_update(session, person, action, today, admins)
    except UpdateRefusedError:
        return False
    return True


def has_evidence(text: str, evidence: str | None) -> bool:
    if evidence and evidence.strip():
        return True
    return bool(LINK.search(text)) or len(text.split()) >= EVIDENCE_WORDS


def _audit(
    session: Session,
    kind: str,
    actor: Person,
    action: Action,
    update: Update | None,
    on_behalf_of: Person | None = None,
    **detail: object,
) -> None:
    session.add(
        AuditEntry(
            at=update.created_at if update is not None else utcnow(),
            kind=kind,
            actor_id=actor.id,
            action_id=action.id,
            update_id=update.id if update is not None else None,
            on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
            detail={k: str(v) for k, v in detail.items() if v is not None},
        )
    )


def record_update(
    session: Session,
    request: UpdateRequest,
    *,
    today: date,
    admins: Collection[str],
    now: datetime | None = None,
) -> Update:
    """Log an update and apply its changes to the action (one transaction, the caller's)."""
    action = lock_action(session, request.action_id)
    author = get_or_create_person(session, request.author)
    on_behalf_of = check_may_update(session, author, action, today, admins)
    if action.status == ActionStatus.SIGNED_OFF:
        raise UpdateRefusedError(
            f"Action {action.ref} is signed off by the board; nothing was "
            "changed. An admin can reopen it."
        )
    status = request.status
    if status == ActionStatus.SIGNED_OFF:
        raise UpdateRefusedError(
            f"Sign-off is the board's: the secretary uses `/ofsted signoff {action.ref}`."
        )
    if status == ActionStatus.COMPLETE and not has_evidence(request.text, request.evidence):
        raise UpdateRefusedError(
            f"To mark {action.ref} complete, say what shows it is done: a link or a sentence, "
            f"e.g. `/ofsted update {action.ref} done: policy agreed at DMT, see https://…`. "
            "Nothing was changed."
        )
    if request.due is not None and not (request.due_reason or "").strip():
        raise UpdateRefusedError("A new due date needs a reason for the board.")
    if not (request.text.strip() or status or request.rag or request.due or request.escalation):
        raise UpdateRefusedError("That update was empty: say how the action is going.")
    update = Update(
        created_at=now or utcnow(),
        action=action,
        author=author,
        on_behalf_of=on_behalf_of,
        text=request.text,
        status_from=action.status,
        status_to=status or action.status,
        rag_from=action.rag,
        rag_to=request.rag or action.rag,
        evidence=request.evidence,
        due_from=action.due if request.due else None,
        due_to=request.due,
        due_reason=request.due_reason,
        escalation=request.escalation,
        source=request.source,
        slack_channel=request.channel,
        slack_ts=request.ts,
        event_id=request.event_id,
        permalink=request.permalink,
    )
    session.add(update)
    if status:
        action.status = status
    if request.rag:
        action.rag = request.rag
    if request.due:
        action.due = request.due
    if status == ActionStatus.COMPLETE:
        action.evidence = request.evidence or request.text
    session.flush()
    _audit(
        session,
        "update",
        author,
        action,
        update,
        on_behalf_of,
        status=status,
        rag=request.rag,
        due=request.due,
        escalation=request.escalation,
    )
    return update


def find_update(session: Session, channel: str, ts: str) -> Update | None:
    """The newest version of the update logged from one Slack message."""
    return session.scalar(
        select(Update)
        .where(Update.slack_channel == channel, Update.slack_ts == ts)
        .order_by(Update.version.desc())
        .limit(1)
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
) -> tuple[Update, Action]:
    action = lock_action(session, previous.action_id)
    restore = retracted and action.status == previous.status_to and action.rag == previous.rag_to
    new_status = previous.status_from if restore else (status or action.status)
    new_rag = previous.rag_from if restore else (rag or action.rag)
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
    )
    session.add(version)
    action.status, action.rag = new_status or action.status, new_rag
    if retracted and previous.due_to is not None and action.due == previous.due_to:
        action.due = previous.due_from
    session.flush()
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
) -> Update:
    """An edited update: a new version with the new text (and status, if one is given)."""
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
        text=text,
        status=status,
        rag=rag,
        retracted=False,
        event_id=event_id,
        now=now,
    )
    _audit(session, "edit", actor, action, version, status=status, rag=rag)
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
    _audit(session, "undo" if undo else "retract", actor, action, version)
    return version


def secretaries_of(session: Session, action: Action) -> set[int]:
    """Person ids holding the secretary post of a board overseeing the action's plan."""
    rows = session.scalars(
        select(Post.holder_id)
        .join(Board, Board.secretary_post_id == Post.id)
        .join(board_plan, board_plan.c.board_id == Board.id)
        .where(board_plan.c.plan_id == action.plan_id, Post.holder_id.is_not(None))
    )
    return {r for r in rows if r is not None}


def sign_off(
    session: Session,
    action_id: int,
    actor_id: str,
    *,
    source: UpdateSource,
    admins: Collection[str],
    note: str = "",
    now: datetime | None = None,
) -> Update:
    action = lock_action(session, action_id)
    actor = get_or_create_person(session, actor_id)
    if not (is_admin(actor, admins) or actor.id in secretaries_of(session, action)):
        raise UpdateRefusedError(
            "Sign-off is the board's: only the secretary of the board "
            "overseeing this plan, or an admin, can sign an action off."
        )
    if action.status != ActionStatus.COMPLETE:
        raise UpdateRefusedError(
            f"Action {action.ref} is {action.status.value}: only a "
            "completed action (with its evidence) can be signed off."
        )
    update = Update(
        created_at=now or utcnow(),
        action=action,
        author=actor,
        on_behalf_of=None,
        text=note or "Signed off by the board.",
        status_from=action.status,
        status_to=ActionStatus.SIGNED_OFF,
        rag_from=action.rag,
        rag_to=action.rag,
        source=source,
    )
    session.add(update)
    action.status = ActionStatus.SIGNED_OFF
    session.flush()
    _audit(session, "signoff", actor, action, update)
    return update
