"""What the `/ofsted` lookups read. Each function issues a fixed number of statements whatever
the size of the data: related rows are joined (or come by `selectinload` for collections), and
anything not loaded raises rather than quietly querying once per row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload, raiseload

from db.cards import (
    CARD_COLUMNS,
    CARD_WIDTH,
    ActionCard,
    PlanRef,
    RecommendationCard,
    card,
    card_joins,
    card_query,
    plan_options,
    shown,
)
from db.models import (
    Action,
    Cover,
    Person,
    Plan,
    Post,
    Recommendation,
    Update,
)
from db.status import DONE

YEAR = re.compile(r"^(19|20)\d\d$")


class PlanNotFoundError(LookupError):
    """Nothing matches; the message says so in the council's words."""


class AmbiguousPlanError(LookupError):
    def __init__(self, word: str, choices: Sequence[Plan]) -> None:
        super().__init__(word)
        self.word = word
        self.choices = list(choices)


def current_plan_id(configured: bool) -> Any:
    """Which plan is current, as a scalar subquery (NULL when there are no plans), so that a
    lookup in the current plan can be one statement: the plan `configured` names (bind
    `configured`), else the one marked current, else the newest published."""
    chosen = (
        select(Plan.id).where(Plan.key == bindparam("configured"))
        if configured
        else select(Plan.id).where(Plan.is_current)
    )
    newest = select(Plan.id).order_by(Plan.published.desc().nulls_last(), Plan.id).limit(1)
    return func.coalesce(chosen.limit(1).scalar_subquery(), newest.scalar_subquery())


_CURRENT_PLAN = {
    configured: select(Plan).options(*plan_options()).where(Plan.id == current_plan_id(configured))
    for configured in (False, True)
}


def current_plan(session: Session, configured: str | None) -> Plan:
    """The plan `/ofsted rec N` means (current_plan_id's rule)."""
    plan = session.scalar(_CURRENT_PLAN[bool(configured)], {"configured": configured})
    if plan is None:
        raise PlanNotFoundError(
            "No plans are loaded yet. An admin can load one with `ofsted-bot plan import`."
        )
    return plan


def all_plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).options(*plan_options()).order_by(Plan.key)))


def resolve_plan(session: Session, word: str, configured: str | None) -> Plan:
    """A plan named by its key, a year (that year's inspection) or words of its key or title."""
    plans = all_plans(session)
    word = word.strip().lower()
    exact = [p for p in plans if p.key == word]
    if exact:
        return exact[0]
    if word in {"current", "now", "latest"}:
        return current_plan(session, configured)
    if YEAR.match(word):
        year = int(word)
        of_year = [p for p in plans if year in _years(p)]
        inspections = [p for p in of_year if p.kind == "inspection"]
        matches = inspections if len(inspections) == 1 else of_year
    else:
        matches = [
            p
            for p in plans
            if word in p.key.split("-")
            or word in p.key
            or re.search(rf"\b{re.escape(word)}", p.title.lower())
        ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousPlanError(word, matches)
    raise PlanNotFoundError(word)


def _years(plan: Plan) -> set[int]:
    years = {int(m) for m in re.findall(r"(?:19|20)\d\d", plan.key)}
    years |= {d.year for d in (plan.inspected_from, plan.inspected_to) if d}
    return years or ({plan.published.year} if plan.published else set())


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


ACTIONS = card_query()
_ACTIONS_OF_RECOMMENDATION = ACTIONS.where(Action.recommendation_id == bindparam("rec")).order_by(
    Action.position
)
_ACTION_BY_REF = ACTIONS.where(
    Action.plan_id == bindparam("plan"), func.lower(Action.ref) == bindparam("ref")
)
_ACTIONS_BY_ID = ACTIONS.where(Action.id.in_(bindparam("ids", expanding=True)))


def recommendation_card(session: Session, rec: Recommendation, today: date) -> RecommendationCard:
    rows = session.execute(_ACTIONS_OF_RECOMMENDATION, {"rec": rec.id, "today": today})
    return RecommendationCard(shown(rec), [card(row) for row in rows])


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
        total = int(rows[0][CARD_WIDTH])
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


MAX_POST_WORDS = 10  # a post's title is a few words; each word is a condition in the query


def find_posts(session: Session, words: str) -> list[Post]:
    """Posts whose key or title contains every word given (case-insensitive; the first
    MAX_POST_WORDS distinct words: each is a condition)."""
    query = select(Post).options(joinedload(Post.holder), raiseload("*")).order_by(Post.title)
    for word in list(dict.fromkeys(words.lower().split()))[:MAX_POST_WORDS]:
        query = query.where(
            or_(func.lower(Post.title).contains(word), func.lower(Post.key).contains(word))
        )
    return list(session.scalars(query))


def overdue_actions(
    session: Session, plan: Plan | PlanRef, today: date, *, page: int = 0, per_page: int = 10
) -> ActionPage:
    return _page(session, _OVERDUE, {"plan": plan.id, "today": today}, page, per_page)


def actions_by_id(session: Session, ids: Sequence[int], today: date) -> list[ActionCard]:
    rows = session.execute(_ACTIONS_BY_ID, {"ids": list(ids), "today": today})
    by_id = {row[0]: card(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


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
