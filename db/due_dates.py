"""A new due date is the board's decision: an owner's update asks for it (a request, pending),
and the board's secretary or an admin approves it (the due date moves) or rejects it, with a
reason. Each step writes an audit entry; the owner is told the outcome through the outbox
(a `decision` delivery); an action's history shows the request and its decision, and who."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Exists, Select, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from db.models import (
    Action,
    Delivery,
    DeliveryState,
    DueDateRequest,
    Person,
    Plan,
    Post,
    Update,
    utcnow,
)
from db.posts import get_or_create_person
from db.session import insert_new
from db.signoff import secretaries_of
from db.updates import (
    PENDING,
    UpdateRefusedError,
    clean_text,
    is_admin,
    lock_action,
    write_audit,
)

APPROVED, REJECTED = "approved", "rejected"


def _withdrawn(update_id: int | InstrumentedAttribute[int]) -> Exists:
    """Whether the asking update was withdrawn (undone, or its message deleted)."""
    later = aliased(Update)
    return exists().where(later.supersedes_id == update_id, later.retracted.is_(True))


def _check_decider(
    session: Session, actor: Person, action: Action, admins: Collection[str]
) -> None:
    if not (is_admin(actor, admins) or actor.id in secretaries_of(session, action)):
        raise UpdateRefusedError(
            "A new due date is the board's decision: only the secretary of the board "
            "overseeing this plan, or an admin, can approve or reject it."
        )


def _tell_the_owner(session: Session, request: DueDateRequest, now: datetime) -> None:
    """Owe the owner who asked a DM with the decision (the outbox sends it, once)."""
    owner = session.get(Person, request.requested_by_id)
    if owner is None:
        return
    row: dict[str, Any] = {
        "key": f"decision:{request.id}",
        "kind": "decision",
        "recipient": owner.slack_user_id,
    }
    row |= {"meeting_id": None, "due_at": now, "payload": {"request": request.id}}
    insert_new(
        session, Delivery, [row | {"state": DeliveryState.PLANNED, "attempts": 0}], unique=["key"]
    )


def decide_due_date(
    session: Session,
    request_id: int,
    actor_id: str,
    *,
    approve: bool,
    reason: str,
    admins: Collection[str],
    now: datetime | None = None,
) -> DueDateRequest:
    """Approve (the due date moves) or reject a pending request, and owe its owner a DM."""
    request = session.get(DueDateRequest, request_id)
    if request is None:
        raise UpdateRefusedError("That request for a new due date is no longer there.")
    action = lock_action(session, request.action_id)
    session.refresh(request)
    actor = get_or_create_person(session, actor_id)
    _check_decider(session, actor, action, admins)
    reason = clean_text(reason).strip()
    if request.state != PENDING:
        raise UpdateRefusedError(f"That request for {action.ref} was {request.state} already.")
    if session.scalar(select(_withdrawn(request.update_id))):
        raise UpdateRefusedError(f"Its owner withdrew that request for {action.ref}.")
    if not approve and not reason:
        raise UpdateRefusedError("Say why the new date is rejected: its owner will be told.")
    now = now or utcnow()
    request.state = APPROVED if approve else REJECTED
    request.decided_by_id, request.decided_at = actor.id, now
    request.decision_reason = reason or None
    if approve:
        action.due = request.due_to
    write_audit(
        session,
        f"due date {request.state}",
        actor,
        action,
        None,
        due_from=request.due_from,
        due_to=request.due_to,
        reason=reason or None,
    )
    _tell_the_owner(session, request, now)
    session.flush()
    return request


@dataclass(frozen=True)
class DateRequestRow:
    """A request as the digest, the owner's DM and history show it."""

    id: int
    plan_key: str
    ref: str
    title: str
    owner_post: str | None
    due_from: date | None
    due_to: date
    reason: str
    state: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    update_id: int


def _rows_query() -> Select[*tuple[Any, ...]]:
    """A request with its action and plan, who asked and who decided."""
    asker, decider = aliased(Person), aliased(Person)
    query: Select[*tuple[Any, ...]] = (
        select(
            DueDateRequest.id,
            Plan.key,
            Action.ref,
            Action.title,
            Post.title,
            DueDateRequest.due_from,
            DueDateRequest.due_to,
            DueDateRequest.reason,
            DueDateRequest.state,
            asker.slack_user_id,
            DueDateRequest.created_at,
            decider.slack_user_id,
            DueDateRequest.decided_at,
            DueDateRequest.decision_reason,
            DueDateRequest.update_id,
        )
        .join(Action, Action.id == DueDateRequest.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .outerjoin(Post, Post.id == Action.owner_post_id)
        .join(asker, asker.id == DueDateRequest.requested_by_id)
        .outerjoin(decider, decider.id == DueDateRequest.decided_by_id)
        .order_by(DueDateRequest.created_at, DueDateRequest.id)
    )
    return query


def pending_requests(session: Session, plan_ids: Collection[int]) -> list[DateRequestRow]:
    """The pending (not withdrawn) requests of the plans' actions, oldest first: one statement."""
    if not plan_ids:
        return []
    query = _rows_query().where(
        Action.plan_id.in_(list(plan_ids)),
        DueDateRequest.state == PENDING,
        ~_withdrawn(DueDateRequest.update_id),
    )
    return [DateRequestRow(*row) for row in session.connection().execute(query)]


def requests_by_update(session: Session, update_ids: Collection[int]) -> dict[int, DateRequestRow]:
    """The requests some updates made, by update id (for an action's history)."""
    if not update_ids:
        return {}
    query = _rows_query().where(DueDateRequest.update_id.in_(list(update_ids)))
    return {row.update_id: row for row in (DateRequestRow(*r) for r in session.execute(query))}


def request_row(session: Session, request_id: int) -> DateRequestRow | None:
    found = session.execute(_rows_query().where(DueDateRequest.id == request_id)).first()
    return DateRequestRow(*found) if found else None
