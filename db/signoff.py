"""The board signs off a completed action: its secretary or an admin."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Action,
    ActionStatus,
    Board,
    Person,
    Plan,
    Post,
    Update,
    UpdateSource,
    board_plan,
    utcnow,
)
from db.queries import get_or_create_person
from db.status import settle_rag
from db.updates import (
    UpdateRefusedError,
    clean_text,
    is_admin,
    lock_action,
    refresh_latest,
    write_audit,
)


def secretaries_of(session: Session, action: Action) -> set[int]:
    """Person ids holding the secretary post of a board overseeing the action's plan."""
    rows = session.scalars(
        select(Post.holder_id)
        .join(Board, Board.secretary_post_id == Post.id)
        .join(board_plan, board_plan.c.board_id == Board.id)
        .where(board_plan.c.plan_id == action.plan_id, Post.holder_id.is_not(None))
    )
    return {r for r in rows if r is not None}


def plans_signed_off_by(session: Session, user_id: str) -> frozenset[str]:
    """The keys of the plans whose actions a member may sign off as a board's secretary."""
    rows = session.scalars(
        select(Plan.key)
        .join(board_plan, board_plan.c.plan_id == Plan.id)
        .join(Board, Board.id == board_plan.c.board_id)
        .join(Post, Post.id == Board.secretary_post_id)
        .join(Person, Person.id == Post.holder_id)
        .where(Person.slack_user_id == user_id)
    )
    return frozenset(rows)


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
        text=clean_text(note) or "Signed off by the board.",
        status_from=action.status,
        status_to=ActionStatus.SIGNED_OFF,
        rag_from=action.rag,
        rag_to=settle_rag(ActionStatus.SIGNED_OFF),
        source=source,
    )
    session.add(update)
    action.status, action.rag = ActionStatus.SIGNED_OFF, update.rag_to
    session.flush()
    refresh_latest(session, action)
    write_audit(session, "signoff", actor, action, update)
    return update
