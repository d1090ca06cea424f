"""The board signs off a completed action: its secretary or an admin, on logged evidence, and
never the action's own owner or cover (separation of duties) unless an admin overrides it with
a reason, which is recorded."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Action, Board, Person, Post, Update, UpdateSource, board_plan, utcnow
from db.posts import get_or_create_person
from db.status import ActionStatus, settle_rag
from db.updates import (
    Clock,
    UpdateRefusedError,
    clean_text,
    covers,
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


def owns(session: Session, person: Person, action: Action, today: date) -> bool:
    """Whether the person holds the action's owner post or covers it today."""
    post = action.owner_post
    if post is None:
        return False
    return post.holder_id == person.id or covers(session, person, post.id, today)


def may_sign_off(
    session: Session, person: Person, action: Action, today: date, admins: Collection[str]
) -> bool:
    """Whether a *Sign off* button is for this person: an admin, or a secretary of a board
    overseeing the plan who neither owns nor covers the action."""
    if is_admin(person, admins):
        return True
    return person.id in secretaries_of(session, action) and not owns(session, person, action, today)


def check_sign_off(
    session: Session,
    actor: Person,
    action: Action,
    today: date,
    admins: Collection[str],
    reason: str,
) -> bool:
    """Refused (UpdateRefusedError) unless the actor may sign this action off now; True when it
    is an admin overriding separation of duties (the reason is then required)."""
    admin = is_admin(actor, admins)
    if not (admin or actor.id in secretaries_of(session, action)):
        raise UpdateRefusedError(
            "Sign-off is the board's: only the secretary of the board "
            "overseeing this plan, or an admin, can sign an action off."
        )
    if action.status != ActionStatus.COMPLETE:
        raise UpdateRefusedError(
            f"Action {action.ref} is {action.status.value}: only a "
            "completed action (with its evidence) can be signed off."
        )
    if not (action.evidence or "").strip():
        raise UpdateRefusedError(
            f"Action {action.ref} has no evidence logged, so it cannot be signed off. Its "
            f"owner logs it: `/ofsted update {action.ref} done: what shows it, https://…`."
        )
    if not owns(session, actor, action, today):
        return False
    if not admin:
        raise UpdateRefusedError(
            f"You own or cover action {action.ref}, so someone else signs it off "
            "(separation of duties): another secretary of the board, or an admin."
        )
    if not reason.strip():
        raise UpdateRefusedError(
            f"You own or cover action {action.ref}: as an admin you can still sign it off, "
            f"with the reason recorded: `/ofsted signoff {action.ref} REASON`."
        )
    return True


def sign_off(
    session: Session,
    action_id: int,
    actor_id: str,
    *,
    source: UpdateSource,
    admins: Collection[str],
    today: date,
    reason: str = "",
    clock: Clock = utcnow,
) -> Update:
    action = lock_action(session, action_id)
    actor = get_or_create_person(session, actor_id)
    reason = clean_text(reason).strip()
    override = check_sign_off(session, actor, action, today, admins, reason)
    text = "Signed off by the board."
    if reason:
        text = f"{text} {'Admin override: ' if override else ''}{reason}"
    update = Update(
        created_at=clock(),
        action=action,
        author=actor,
        on_behalf_of=None,
        text=text,
        status_from=action.status,
        status_to=ActionStatus.SIGNED_OFF,
        rag_from=action.rag,
        rag_to=settle_rag(ActionStatus.SIGNED_OFF),
        evidence=action.evidence,
        source=source,
    )
    session.add(update)
    action.status, action.rag = ActionStatus.SIGNED_OFF, update.rag_to
    session.flush()
    refresh_latest(session, action)
    write_audit(
        session,
        "signoff",
        actor,
        action,
        update,
        override="separation of duties" if override else None,
        reason=reason or None,
    )
    return update
