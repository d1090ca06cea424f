"""Recommendations as the commands read them: by number, with their actions' cards, by RAG."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, joinedload, raiseload

from db.actions import (
    ACTIONS,
)
from db.cards import (
    CARD_COLUMNS,
    SHOWN_COLUMNS,
    RecommendationCard,
    card,
    card_joins,
    plan_options,
    shown,
    shown_joins,
    shown_row,
)
from db.models import Action, Plan, Recommendation
from db.plans import current_plan_id
from db.status import count_rag


def recommendation_numbers(session: Session, plan: Plan) -> list[str]:
    return list(
        session.scalars(
            select(Recommendation.number)
            .where(Recommendation.plan_id == plan.id)
            .order_by(Recommendation.position)
        )
    )


_RECOMMENDATION = (
    select(Recommendation)
    .where(
        Recommendation.plan_id == bindparam("plan"),
        func.lower(Recommendation.number) == bindparam("lower"),
    )
    .options(
        joinedload(Recommendation.theme),
        joinedload(Recommendation.plan).options(*plan_options()),
        raiseload("*"),
    )
    # the number exactly as typed, else the first (by position) that differs only in case
    .order_by((Recommendation.number == bindparam("number")).desc(), Recommendation.position)
    .limit(1)
)


def find_recommendation(session: Session, plan: Plan, number: str) -> Recommendation | None:
    return session.scalar(
        _RECOMMENDATION, {"plan": plan.id, "lower": number.lower(), "number": number}
    )


_ACTIONS_OF_RECOMMENDATION = ACTIONS.where(Action.recommendation_id == bindparam("rec")).order_by(
    Action.position
)


def recommendation_card(session: Session, rec: Recommendation, today: date) -> RecommendationCard:
    rows = session.execute(_ACTIONS_OF_RECOMMENDATION, {"rec": rec.id, "today": today})
    return RecommendationCard(shown(rec), [card(row) for row in rows])


def recommendations_by_id(session: Session, ids: Sequence[int]) -> list[Recommendation]:
    by_id = {
        r.id: r
        for r in session.scalars(
            select(Recommendation)
            .where(Recommendation.id.in_(ids))
            .options(
                joinedload(Recommendation.plan).options(*plan_options()),
                joinedload(Recommendation.theme),
                raiseload("*"),
            )
        )
    }
    return [by_id[i] for i in ids if i in by_id]


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
    cards = [card(row) for row in rows if row.action_id is not None]
    return RecommendationCard(shown_row(rows[0]), cards)


@dataclass(frozen=True)
class RagCount:
    number: str
    text: str
    counts: dict[str, int]


def rag_by_recommendation(session: Session, plan: Plan) -> list[RagCount]:
    """RAG counts of each recommendation's actions (one statement)."""
    rows = session.execute(
        select(
            Recommendation.number,
            Recommendation.text,
            Recommendation.position,
            Action.rag,
            Action.status,
            func.count(Action.id),
        )
        .outerjoin(Action, Action.recommendation_id == Recommendation.id)
        .where(Recommendation.plan_id == plan.id)
        .group_by(
            Recommendation.id,
            Recommendation.number,
            Recommendation.text,
            Recommendation.position,
            Action.rag,
            Action.status,
        )
        .order_by(Recommendation.position)
    ).all()
    found: dict[str, RagCount] = {}
    for number, text, _position, rag, status, count in rows:
        entry = found.setdefault(number, RagCount(number, text, {}))
        if count:
            count_rag(entry.counts, status, rag, count)
    return list(found.values())
