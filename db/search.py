"""Search over the database: the index's documents read in one go, the index rebuilt when the
data changes, and the rows a search found."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, false, func, null, select, true, union_all
from sqlalchemy.orm import Session, joinedload, raiseload

from db.models import Action, Plan, Recommendation
from db.search_index import Document, SearchIndex
from db.status import ActionStatus, Rag

RECHECK_SECONDS = 5.0


class SearchCatalogue:
    """The search index, built from the database and rebuilt when the plans change.

    Whether the plans changed is checked at most every few seconds with one cheap query, so
    that several processes sharing one database stay in step after a plan import.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._version: tuple[object, ...] | None = None
        self._checked = 0.0

    def index(self, session: Session) -> SearchIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked < RECHECK_SECONDS:
            return self._index
        with self._lock:
            version = data_version(session)
            if self._index is None or version != self._version:
                self._index = SearchIndex(self._documents(session))
                self._version = version
            self._checked = now
            return self._index

    @staticmethod
    def _documents(session: Session) -> list[Document]:
        recs, actions = search_documents_source(session)
        docs = [
            Document(
                "recommendation",
                r.id,
                r.plan.key,
                r.number,
                r.text,
                " ".join(filter(None, [r.theme.title if r.theme else "", r.area or ""])),
            )
            for r in recs
        ]
        docs += [
            Document(
                "action",
                a.id,
                a.plan.key,
                a.ref,
                a.title,
                a.owner_post.title if a.owner_post else "",
            )
            for a in actions
        ]
        return docs


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
