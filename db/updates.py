"""Logging progress on actions: who may, what is recorded, and the audit trail it leaves.

Updates are immutable. An edit adds a new version superseding the last; a deletion or an undo
adds a retracting version (db.versions); the board signs off (db.signoff) and decides new
due dates asked for (db.due_dates). Each change to an
action and each update writes an audit entry. All functions work inside the caller's
transaction (`Database.writes`) and lock the action row first, so concurrent updates of one
action are applied one after another, and each checks after taking the lock that what it is
about to store is not stored already (the same request sent twice, the same Slack message
arriving two ways at once). Status and RAG follow one rule (db.status.settle_rag). Text that
cannot be stored (NUL bytes, lone surrogates) is dropped from everything written.

Every way an update comes in ends in `record_update` (new) or db.versions (changed):
- `/ofsted update REF …` (commands.update, source "slash");
- the update form, opened by *Update*, *Edit* or the message shortcut *Log as action update*
  (commands.update.save_form, "modal" or "shortcut"; an edit goes to db.versions);
- a reply in the thread of the bot's message about an action, a mention of the bot, a DM
  (db.messages, "thread reply", "mention", "direct message"); editing or deleting that
  Slack message revises or retracts the update (db.messages, db.versions);
- *No change* on a nudge (jobs.nudges, "system"); *Undo* (db.versions);
- a board member's sign-off, in Slack or by button (db.signoff);
- an edited plan sheet brought back in (db.sheet_import, "import").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, ScalarSelect, exists, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, joinedload

from db.models import (
    Action,
    AuditEntry,
    Cover,
    DueDateRequest,
    Person,
    Post,
    Update,
    UpdateSource,
    utcnow,
)
from db.posts import get_or_create_person
from db.status import ActionStatus, Rag, RagConflictError, settle_rag

Clock = Callable[[], datetime]  # read once the action is locked: an update is timed when applied
UNDO_WINDOW = timedelta(minutes=10)
LINK = re.compile(r"https?://\S+|<https?://[^>]+>")
EVIDENCE_WORDS = 4
PENDING = "pending"  # a request for a new due date not decided yet
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Without NUL bytes and lone surrogates: PostgreSQL cannot store the one, no UTF-8 driver
    the other, and neither means anything in an update."""
    return _UNSTORABLE.sub("", text)


class UpdateRefusedError(Exception):
    """The update cannot be made; the message says why, politely, and who can."""


class AlreadyLoggedError(UpdateRefusedError):
    """What was sent is stored already: the same request again (`same_request`: answer as the
    first time), or a Slack message already logged another way."""

    def __init__(self, update: Update, *, same_request: bool) -> None:
        self.update = update
        self.same_request = same_request
        super().__init__(
            f"That message is already logged as an update to {update.action.ref}. "
            "Nothing was changed."
        )


def find_update(session: Session, channel: str, ts: str) -> Update | None:
    """The newest version of the update logged from one Slack message."""
    return session.scalar(
        select(Update)
        .where(Update.slack_channel == channel, Update.slack_ts == ts)
        .order_by(Update.version.desc())
        .limit(1)
    )


def refuse_if_stored(
    session: Session, key: str | None, channel: str | None = None, ts: str | None = None
) -> None:
    """Raise AlreadyLoggedError if this request (its idempotency key) or this Slack message
    made an update already. Called with the action locked, so a twin has committed by now."""
    if key:
        earlier = session.scalar(select(Update).where(Update.idempotency_key == key))
        if earlier is not None:
            raise AlreadyLoggedError(earlier, same_request=True)
    if channel and ts:
        earlier = find_update(session, channel, ts)
        if earlier is not None:
            raise AlreadyLoggedError(earlier, same_request=False)


def rag_for(
    action: Action, status: ActionStatus | None, rag: Rag | None
) -> tuple[ActionStatus, Rag | None]:
    """The action's status and RAG after an update giving these (the rule, or refused)."""
    new_status = status or action.status
    try:
        return new_status, settle_rag(
            new_status, rag, status_changed=new_status != action.status, current=action.rag
        )
    except RagConflictError as conflict:
        raise UpdateRefusedError(f"{conflict} Nothing was changed.") from None


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
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if type(value) is str:  # text, not the str enums
                object.__setattr__(self, name, clean_text(value))


def latest_standing(
    action_id: InstrumentedAttribute[int] | ColumnElement[int],
) -> ScalarSelect[int]:
    """The id of the action's newest update that stands: not withdrawn (undone or its message
    deleted), not replaced by an edit (a later version supersedes it)."""
    later = aliased(Update)
    return (
        select(Update.id)
        .where(
            Update.action_id == action_id,
            Update.retracted.is_(False),
            ~exists().where(later.supersedes_id == Update.id),
        )
        .order_by(Update.created_at.desc(), Update.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def refresh_latest(session: Session, action: Action) -> None:
    """Store the action's latest standing update on it, in the caller's transaction: called by
    every write that adds an update or a version (a new update, an edit, a withdrawal, an undo,
    a sign-off), after the flush."""
    session.execute(
        update(Action)
        .where(Action.id == action.id)
        .values(latest_update_id=latest_standing(Action.id))
        .execution_options(synchronize_session=False)
    )
    session.expire(action, ["latest_update_id"])


def lock_action(session: Session, action_id: int) -> Action:
    """The action, locked for the rest of the transaction and read afresh once locked (an
    Action loaded earlier in the session may hold what was true before the lock was granted)."""
    action = session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(joinedload(Action.owner_post).joinedload(Post.holder))
        .with_for_update(of=Action)
        .execution_options(populate_existing=True)
    )
    if action is None:
        raise UpdateRefusedError("That action is no longer in the plan.")
    return action


def is_admin(person: Person, admins: Collection[str]) -> bool:
    return person.slack_user_id in admins


def covers(session: Session, person: Person, post_id: int, today: date) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    Cover.post_id == post_id,
                    Cover.person_id == person.id,
                    Cover.on(today),
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


def write_audit(
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


def refuse_invalid(action: Action, request: UpdateRequest) -> None:
    """Raise UpdateRefusedError if the update cannot be logged as asked (nothing is changed)."""
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


def ask_for_due_date(
    session: Session, action: Action, asked: Update, author: Person, due: date, reason: str
) -> None:
    """A new due date asked for is a request for the board to decide (db.due_dates): the
    action keeps its due date until then. A pending request of the same action is replaced."""
    session.execute(
        update(DueDateRequest)
        .where(DueDateRequest.action_id == action.id, DueDateRequest.state == PENDING)
        .values(state="replaced")
        .execution_options(synchronize_session=False)
    )
    session.add(
        DueDateRequest(
            action_id=action.id,
            update_id=asked.id,
            requested_by_id=author.id,
            due_from=action.due,
            due_to=due,
            reason=reason,
            state=PENDING,
            created_at=asked.created_at,
        )
    )


def _new_due(
    session: Session, action: Action, update: Update, author: Person, request: UpdateRequest
) -> None:
    """An owner's new due date waits for the board; a plan file's (an import) re-baselines the
    action at once, as the plan itself is changed (its original due date is kept)."""
    if request.source == UpdateSource.IMPORT and request.due:
        action.due = request.due
    elif request.due:
        ask_for_due_date(session, action, update, author, request.due, request.due_reason or "")


def record_update(
    session: Session,
    request: UpdateRequest,
    *,
    today: date,
    admins: Collection[str],
    clock: Clock = utcnow,
) -> Update:
    """Log an update and apply its changes to the action (one transaction, the caller's),
    timed by `clock` once the action is locked, so history's order is the order applied."""
    action = lock_action(session, request.action_id)
    refuse_if_stored(session, request.idempotency_key, request.channel, request.ts)
    author = get_or_create_person(session, request.author)
    on_behalf_of = check_may_update(session, author, action, today, admins)
    refuse_invalid(action, request)
    status = request.status
    new_status, new_rag = rag_for(action, status, request.rag)
    update = Update(
        created_at=clock(),
        action=action,
        author=author,
        on_behalf_of=on_behalf_of,
        text=request.text,
        status_from=action.status,
        status_to=new_status,
        rag_from=action.rag,
        rag_to=new_rag,
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
        idempotency_key=request.idempotency_key,
    )
    session.add(update)
    action.status, action.rag = new_status, new_rag
    if status == ActionStatus.COMPLETE:
        action.evidence = request.evidence or request.text
    session.flush()
    if request.due:
        _new_due(session, action, update, author, request)
    refresh_latest(session, action)
    write_audit(
        session,
        "update",
        author,
        action,
        update,
        on_behalf_of,
        status=status,
        rag=new_rag if new_rag != update.rag_from else None,
        due=request.due,
        escalation=request.escalation,
    )
    return update
