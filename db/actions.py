"""Actions as the commands read them: one by its ref, pages of them (a person's, a post's, a
plan's overdue), by id, and an action's history. Each issues a fixed number of statements
whatever the size of the data: related rows are joined (db.cards), and anything not loaded
raises rather than quietly querying once per row. The `current_…` functions find the current
plan inside the same statement (db.plans.current_plan_id) and return None when nothing matches,
for the caller to go the longer way round (which also says what is missing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, func, select, true
from sqlalchemy.orm import Session, joinedload, raiseload

from db.cards import (
    CARD_COLUMNS,
    ActionCard,
    PlanRef,
    card,
    card_joins,
    card_query,
    plan_options,
)
from db.models import (
    Action,
    Cover,
    Person,
    Plan,
    Post,
    Update,
)
from db.plans import current_plan_id
from db.status import DONE

ACTIONS = card_query()
_ACTION_BY_REF = ACTIONS.where(
    Action.plan_id == bindparam("plan"), func.lower(Action.ref) == bindparam("ref")
)
_ACTIONS_BY_ID = ACTIONS.where(Action.id.in_(bindparam("ids", expanding=True)))


def find_action(session: Session, plan: Plan, ref: str, today: date) -> ActionCard | None:
    row = session.execute(
        _ACTION_BY_REF, {"plan": plan.id, "ref": ref.lower(), "today": today}
    ).first()
    return card(row) if row else None


def plans_with_action(session: Session, ref: str) -> list[Plan]:
    return list(
        session.scalars(
            select(Plan)
            .join(Action, Action.plan_id == Plan.id)
            .where(func.lower(Action.ref) == ref.lower())
            .options(*plan_options())
            .order_by(Plan.key)
        )
    )


def action_refs(session: Session, plan: Plan) -> list[str]:
    return list(
        session.scalars(
            select(Action.ref)
            .where(Action.plan_id == plan.id)
            .order_by(Action.recommendation_id, Action.position)
        )
    )


def _posts_of_user() -> Any:
    """The posts the person with Slack id `user` holds or covers on `today`."""
    held = (
        select(Post.id)
        .join(Person, Person.id == Post.holder_id)
        .where(Person.slack_user_id == bindparam("user"))
    )
    covered = (
        select(Cover.post_id)
        .join(Person, Person.id == Cover.person_id)
        .where(
            Person.slack_user_id == bindparam("user"),
            Cover.on(bindparam("today")),
        )
    )
    return held.union(covered)


@dataclass
class ActionPage:
    """One page of a list of actions, and how many there are in all."""

    cards: list[ActionCard]
    total: int
    page: int
    per_page: int

    @property
    def has_more(self) -> bool:
        return self.total > (self.page + 1) * self.per_page


OPEN_FIRST = (Action.status.in_(DONE), Action.due.nulls_last(), Action.plan_id, Action.ref)


def page_ids(criteria: Sequence[Any], order: Sequence[Any]) -> Any:
    """The page's action ids picked (and all of them counted, by a window) on the action table
    alone: bind `offset` and `limit`."""
    return (
        select(Action.id)
        .where(*criteria)
        .add_columns(
            func.count().over().label("total"),
            func.row_number().over(order_by=order).label("pos"),
        )
        .order_by(*order)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .subquery("page")
    )


def _page_query(criteria: Sequence[Any], order: Sequence[Any]) -> tuple[Select[Any], Select[Any]]:
    """One statement for a page: `page_ids`, joined to everything shown about them; and the
    count on its own, for a page past the end."""
    page = page_ids(criteria, order)
    # the page first: PostgreSQL keeps the written join order past 8 joins (join_collapse_limit)
    chosen = select(*CARD_COLUMNS, page.c.total).select_from(page)
    cards = card_joins(chosen.join(Action, Action.id == page.c.id)).order_by(page.c.pos)
    return cards, select(func.count()).select_from(Action).where(*criteria)


def _page(
    session: Session,
    queries: tuple[Select[Any], Select[Any]],
    params: dict[str, Any],
    page: int,
    per_page: int,
) -> ActionPage:
    cards, count = queries
    params = {**params, "offset": page * per_page, "limit": per_page}
    rows = session.connection().execute(cards, params).all()
    if rows:  # the count comes with the page (a window over the whole selection)
        total = int(rows[0].total)
    elif page:  # past the end: count on its own
        total = session.scalar(count, params) or 0
    else:
        total = 0
    return ActionPage([card(row) for row in rows], total, page, per_page)


_MINE = _page_query([Action.owner_post_id.in_(_posts_of_user())], OPEN_FIRST)
_OF_POST = _page_query([Action.owner_post_id == bindparam("post")], OPEN_FIRST)


def overdue_criteria(plan_id: Any) -> list[Any]:
    return [Action.plan_id == plan_id, Action.due < bindparam("today"), Action.status.not_in(DONE)]


OVERDUE_ORDER = (Action.due, Action.ref)
_OVERDUE = _page_query(overdue_criteria(bindparam("plan")), OVERDUE_ORDER)


def actions_of_person(
    session: Session, slack_user_id: str, today: date, *, page: int = 0, per_page: int = 10
) -> ActionPage:
    """Actions owned by the posts a person holds or covers today, open ones first by due date."""
    return _page(session, _MINE, {"user": slack_user_id, "today": today}, page, per_page)


def actions_of_post(
    session: Session, post: Post, today: date, *, page: int = 0, per_page: int = 10
) -> ActionPage:
    return _page(session, _OF_POST, {"post": post.id, "today": today}, page, per_page)


def overdue_actions(
    session: Session, plan: Plan | PlanRef, today: date, *, page: int = 0, per_page: int = 10
) -> ActionPage:
    return _page(session, _OVERDUE, {"plan": plan.id, "today": today}, page, per_page)


def actions_by_id(session: Session, ids: Sequence[int], today: date) -> list[ActionCard]:
    rows = session.execute(_ACTIONS_BY_ID, {"ids": list(ids), "today": today})
    by_id = {row.action_id: card(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def action_history(
    session: Session, action_id: int, *, offset: int = 0, limit: int = 10
) -> tuple[list[Update], int]:
    total = session.scalar(select(func.count()).where(Update.action_id == action_id)) or 0
    updates = session.scalars(
        select(Update)
        .where(Update.action_id == action_id)
        .options(joinedload(Update.author), joinedload(Update.on_behalf_of), raiseload("*"))
        .order_by(Update.created_at.desc(), Update.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(updates), total


_CURRENT_ACTION_BY_REF = {
    configured: ACTIONS.where(
        Action.plan_id == current_plan_id(configured), func.lower(Action.ref) == bindparam("ref")
    )
    for configured in (False, True)
}


def find_current_action(
    session: Session, configured: str | None, ref: str, today: date
) -> ActionCard | None:
    """`find_action` in `current_plan(session, configured)`, in one statement; None when there
    is no such action (or no plan)."""
    params = {"configured": configured, "ref": ref.lower(), "today": today}
    row = session.connection().execute(_CURRENT_ACTION_BY_REF[bool(configured)], params).first()
    return card(row) if row else None


def _current_overdue_query(configured: bool) -> Any:
    """The current plan, and a page of its overdue actions (if any) with their cards."""
    plan_id = current_plan_id(configured)
    page = page_ids(overdue_criteria(plan_id), OVERDUE_ORDER)
    query = (
        select(
            Plan.id.label("current_plan_id"),
            Plan.key.label("current_plan_key"),
            *CARD_COLUMNS,
            page.c.total,
        )
        .select_from(Plan)
        .outerjoin(page, true())
        .outerjoin(Action, Action.id == page.c.id)
    )
    return card_joins(query).where(Plan.id == plan_id).order_by(page.c.pos)


_CURRENT_OVERDUE = {c: _current_overdue_query(c) for c in (False, True)}


def current_overdue_actions(
    session: Session, configured: str | None, today: date, *, page: int = 0, per_page: int = 10
) -> tuple[PlanRef, ActionPage] | None:
    """`overdue_actions` of `current_plan(session, configured)`, with that plan, in one
    statement (two for a page past the end); None when there are no plans."""
    params = {
        "configured": configured,
        "today": today,
        "offset": page * per_page,
        "limit": per_page,
    }
    rows = session.connection().execute(_CURRENT_OVERDUE[bool(configured)], params).all()
    if not rows:
        return None
    plan = PlanRef(rows[0].current_plan_id, rows[0].current_plan_key)
    cards = [card(row) for row in rows if row.action_id is not None]
    if cards:
        return plan, ActionPage(cards, int(rows[0].total), page, per_page)
    return plan, overdue_actions(session, plan, today, page=page, per_page=per_page)
