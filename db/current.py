"""Lookups in the current plan and of search hits, each in one statement: the plan is chosen
inside the statement (`current_plan`'s choice as a subquery) rather than by a statement of its
own. Each returns None when nothing matches, and the caller takes the longer way round (which
also says what is missing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, false, func, null, select, true, union_all
from sqlalchemy.orm import Session

from db.cards import (
    CARD_COLUMNS,
    CARD_WIDTH,
    SHOWN_COLUMNS,
    SHOWN_WIDTH,
    ActionCard,
    PlanRef,
    RecommendationCard,
    card,
    card_joins,
    shown_joins,
    shown_row,
)
from db.lookups import (
    ACTIONS,
    OVERDUE_ORDER,
    ActionPage,
    current_plan_id,
    overdue_actions,
    overdue_criteria,
    page_ids,
)
from db.models import Action, Plan, Recommendation
from db.status import ActionStatus, Rag

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


def _current_recommendation_query(configured: bool) -> Select[Any]:
    number = (
        select(Recommendation.id)
        .where(
            Recommendation.plan_id == current_plan_id(configured),
            func.lower(Recommendation.number) == bindparam("lower"),
        )
        .order_by((Recommendation.number == bindparam("number")).desc(), Recommendation.position)
        .limit(1)
        .scalar_subquery()
    )
    query = select(*SHOWN_COLUMNS, *CARD_COLUMNS).outerjoin(
        Action, Action.recommendation_id == Recommendation.id
    )
    return (
        card_joins(shown_joins(query)).where(Recommendation.id == number).order_by(Action.position)
    )


_CURRENT_RECOMMENDATION = {c: _current_recommendation_query(c) for c in (False, True)}


def current_recommendation_card(
    session: Session, configured: str | None, number: str, today: date
) -> RecommendationCard | None:
    """`find_recommendation` in `current_plan(session, configured)` and its `recommendation_card`,
    in one statement; None when there is no such recommendation (or no plan)."""
    params = {"configured": configured, "lower": number.lower(), "number": number, "today": today}
    rows = session.connection().execute(_CURRENT_RECOMMENDATION[bool(configured)], params).all()
    if not rows:
        return None
    cards = [card(row[SHOWN_WIDTH:]) for row in rows if row[SHOWN_WIDTH] is not None]
    return RecommendationCard(shown_row(rows[0]), cards)


def _current_overdue_query(configured: bool) -> Any:
    """The current plan, and a page of its overdue actions (if any) with their cards."""
    plan_id = current_plan_id(configured)
    page = page_ids(overdue_criteria(plan_id), OVERDUE_ORDER)
    query = (
        select(Plan.id, Plan.key, *CARD_COLUMNS, page.c.total)
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
    plan = PlanRef(rows[0][0], rows[0][1])
    cards = [card(row[2:]) for row in rows if row[2] is not None]
    if cards:
        return plan, ActionPage(cards, int(rows[0][2 + CARD_WIDTH]), page, per_page)
    return plan, overdue_actions(session, plan, today, page=page, per_page=per_page)


@dataclass(frozen=True, slots=True)
class FoundRecommendation:
    """A recommendation a search found, as the results show it."""

    id: int
    number: str
    text: str
    plan_key: str


@dataclass(frozen=True, slots=True)
class FoundAction:
    """An action a search found, as the results show it."""

    id: int
    ref: str
    title: str
    rag: Rag | None
    status: ActionStatus
    plan_key: str


def _found_query() -> Any:
    """The actions and recommendations with the given ids, as plain rows: the actions first
    (their RAG and status columns type the union)."""
    actions = (
        select(
            true().label("is_action"),
            Action.id,
            Action.ref,
            Action.title,
            Plan.key,
            Action.rag,
            Action.status,
        )
        .join(Plan, Plan.id == Action.plan_id)
        .where(Action.id.in_(bindparam("action_ids", expanding=True)))
    )
    recommendations = (
        select(
            false(),
            Recommendation.id,
            Recommendation.number,
            Recommendation.text,
            Plan.key,
            null(),
            null(),
        )
        .join(Plan, Plan.id == Recommendation.plan_id)
        .where(Recommendation.id.in_(bindparam("rec_ids", expanding=True)))
    )
    return union_all(actions, recommendations)


_FOUND = _found_query()


def found_items(
    session: Session, rec_ids: Sequence[int], action_ids: Sequence[int]
) -> tuple[dict[int, FoundRecommendation], dict[int, FoundAction]]:
    """Recommendations and actions by id (what a search found), in one statement."""
    recs: dict[int, FoundRecommendation] = {}
    actions: dict[int, FoundAction] = {}
    if not rec_ids and not action_ids:
        return recs, actions
    params = {"rec_ids": list(rec_ids), "action_ids": list(action_ids)}
    for is_action, id_, name, text, plan_key, rag, status in session.connection().execute(
        _FOUND, params
    ):
        if is_action:
            actions[id_] = FoundAction(id_, name, text, rag, status, plan_key)
        else:
            recs[id_] = FoundRecommendation(id_, name, text, plan_key)
    return recs, actions
