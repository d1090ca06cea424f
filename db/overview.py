"""Queries for overviews: boards and their meetings, the plan at a glance, what search indexes.
Like db/lookups.py, each issues a fixed number of statements whatever the size of the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, raiseload, selectinload

from db.models import Action, Board, Meeting, Plan, Post, Recommendation
from db.status import count_rag


@dataclass(frozen=True)
class RagCount:
    number: str
    text: str
    counts: dict[str, int]


def all_boards(session: Session, *, by_key: bool = False) -> list[Board]:
    """Every board with its plans and its secretary's post and holder, by name (or key)."""
    return list(
        session.scalars(
            select(Board)
            .options(
                selectinload(Board.plans).options(raiseload("*")),
                selectinload(Board.secretary_post).joinedload(Post.holder),
                raiseload("*"),
            )
            .order_by(Board.key if by_key else Board.name)
        )
    )


def meeting_overrides(session: Session, board: Board, after: date) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.board_id == board.id,
                or_(Meeting.cadence_date >= after, Meeting.held_on >= after),
            )
            .options(raiseload("*"))
            .order_by(Meeting.cadence_date)
        )
    )


def search_documents_source(session: Session) -> tuple[list[Recommendation], list[Action]]:
    """Everything the search index is built from, in three statements."""
    recs = list(
        session.scalars(
            select(Recommendation).options(
                joinedload(Recommendation.theme),
                joinedload(Recommendation.plan).options(raiseload("*")),
                raiseload("*"),
            )
        )
    )
    actions = list(
        session.scalars(
            select(Action).options(
                joinedload(Action.owner_post).options(raiseload("*")),
                joinedload(Action.plan).options(raiseload("*")),
                raiseload("*"),
            )
        )
    )
    return recs, actions


def data_version(session: Session) -> tuple[object, ...]:
    """Changes whenever recommendations or actions are added, removed or re-imported."""
    row = session.execute(
        select(
            select(func.count(Recommendation.id)).scalar_subquery(),
            select(func.max(Recommendation.id)).scalar_subquery(),
            select(func.count(Action.id)).scalar_subquery(),
            select(func.max(Action.id)).scalar_subquery(),
            select(func.sum(func.length(Recommendation.text))).scalar_subquery(),
            select(func.sum(func.length(Action.title))).scalar_subquery(),
        )
    ).one()
    return tuple(row)


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
