"""What the `/ofsted` lookups read. Each function issues a fixed number of statements whatever
the size of the data: related rows are joined (or come by `selectinload` for collections), and
anything not loaded raises rather than quietly querying once per row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, raiseload

from db.models import (
    Action,
    Cover,
    Person,
    Plan,
    Post,
    Recommendation,
    Update,
)
from db.status import DONE as DONE

YEAR = re.compile(r"^(19|20)\d\d$")


class PlanNotFoundError(LookupError):
    """Nothing matches; the message says so in the council's words."""


class AmbiguousPlanError(LookupError):
    def __init__(self, word: str, choices: Sequence[Plan]) -> None:
        super().__init__(word)
        self.word = word
        self.choices = list(choices)


@dataclass
class ActionCard:
    """An action with who owns it today and its latest update."""

    action: Action
    owner: Person | None
    latest: Update | None
    covering: Person | None = None


@dataclass
class RecommendationCard:
    recommendation: Recommendation
    actions: list[ActionCard] = field(default_factory=list)


def _plan_options() -> tuple[Any, ...]:
    return (joinedload(Plan.source), raiseload("*"))


def current_plan(session: Session, configured: str | None) -> Plan:
    query = select(Plan).options(*_plan_options())
    plan = session.scalar(
        query.where(Plan.key == configured) if configured else query.where(Plan.is_current)
    )
    if plan is None:
        plan = session.scalar(query.order_by(Plan.published.desc().nulls_last(), Plan.id))
    if plan is None:
        raise PlanNotFoundError(
            "No plans are loaded yet. An admin can load one with `ofsted-bot plan import`."
        )
    return plan


def all_plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).options(*_plan_options()).order_by(Plan.key)))


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


def find_recommendation(session: Session, plan: Plan, number: str) -> Recommendation | None:
    numbers = recommendation_numbers(session, plan)
    wanted = (
        number
        if number in numbers
        else next((n for n in numbers if n.lower() == number.lower()), None)
    )
    if wanted is None:
        return None
    return session.scalar(
        select(Recommendation)
        .where(Recommendation.plan_id == plan.id, Recommendation.number == wanted)
        .options(
            joinedload(Recommendation.theme),
            joinedload(Recommendation.plan).options(*_plan_options()),
            raiseload("*"),
        )
    )


def _action_query() -> Select[Action]:
    return select(Action).options(
        joinedload(Action.owner_post).joinedload(Post.holder),
        joinedload(Action.plan).options(*_plan_options()),
        joinedload(Action.recommendation).options(
            joinedload(Recommendation.plan).options(*_plan_options()),
            joinedload(Recommendation.theme),
            raiseload("*"),
        ),
        raiseload("*"),
    )


def _latest_ids(action_ids: Sequence[int]) -> Any:
    """The newest standing update of each action (not withdrawn, not replaced by an edit): one
    index seek per action on (action_id, created_at, id), however many updates it has."""
    later = aliased(Update)
    newest = (
        select(Update.id)
        .where(
            Update.action_id == Action.id,
            Update.retracted.is_(False),
            ~exists().where(later.supersedes_id == Update.id),
        )
        .order_by(Update.created_at.desc(), Update.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )
    return select(newest).where(Action.id.in_(action_ids))


def _cards(session: Session, actions: Sequence[Action], today: date) -> list[ActionCard]:
    """Attach the latest update and today's cover to each action: two statements in all."""
    ids = [a.id for a in actions]
    latest: dict[int, Update] = {}
    covers: dict[int, Person] = {}
    if ids:
        for update in session.scalars(
            select(Update)
            .where(Update.id.in_(_latest_ids(ids)))
            .options(joinedload(Update.author), raiseload("*"))
        ):
            latest[update.action_id] = update
        post_ids = {a.owner_post_id for a in actions if a.owner_post_id}
        for cover in session.scalars(
            select(Cover)
            .where(Cover.post_id.in_(post_ids), Cover.starts_on <= today, Cover.ends_on >= today)
            .options(joinedload(Cover.person), raiseload("*"))
            .order_by(Cover.id)
        ):
            covers[cover.post_id] = cover.person
    return [
        ActionCard(
            a,
            a.owner_post.holder if a.owner_post else None,
            latest.get(a.id),
            covers.get(a.owner_post_id or 0),
        )
        for a in actions
    ]


def recommendation_card(session: Session, rec: Recommendation, today: date) -> RecommendationCard:
    actions = session.scalars(
        _action_query().where(Action.recommendation_id == rec.id).order_by(Action.position)
    ).all()
    return RecommendationCard(rec, _cards(session, actions, today))


def find_action(session: Session, plan: Plan, ref: str, today: date) -> ActionCard | None:
    action = session.scalar(
        _action_query().where(Action.plan_id == plan.id, func.lower(Action.ref) == ref.lower())
    )
    return _cards(session, [action], today)[0] if action else None


def plans_with_action(session: Session, ref: str) -> list[Plan]:
    return list(
        session.scalars(
            select(Plan)
            .join(Action, Action.plan_id == Plan.id)
            .where(func.lower(Action.ref) == ref.lower())
            .options(*_plan_options())
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


def _posts_of(person_id: int, today: date) -> Any:
    held = select(Post.id).where(Post.holder_id == person_id)
    covered = select(Cover.post_id).where(
        Cover.person_id == person_id, Cover.starts_on <= today, Cover.ends_on >= today
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


def _page(
    session: Session,
    criteria: Sequence[Any],
    order: Sequence[Any],
    today: date,
    page: int,
    per_page: int,
) -> ActionPage:
    """Count and pick the page's action ids on the action table alone, then load just those
    actions with everything shown about them."""
    ids = select(Action.id).where(*criteria)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page_ids = session.scalars(ids.order_by(*order).offset(page * per_page).limit(per_page)).all()
    by_id = {a.id: a for a in session.scalars(_action_query().where(Action.id.in_(page_ids)))}
    actions = [by_id[i] for i in page_ids if i in by_id]
    return ActionPage(_cards(session, actions, today), total, page, per_page)


def actions_of_person(
    session: Session, slack_user_id: str, today: date, *, page: int = 0, per_page: int = 10
) -> ActionPage:
    """Actions owned by the posts a person holds or covers today, open ones first by due date."""
    person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
    if person is None:
        return ActionPage([], 0, page, per_page)
    criteria = [Action.owner_post_id.in_(_posts_of(person.id, today))]
    return _page(session, criteria, OPEN_FIRST, today, page, per_page)


def actions_of_post(
    session: Session, post: Post, today: date, *, page: int = 0, per_page: int = 10
) -> ActionPage:
    return _page(session, [Action.owner_post_id == post.id], OPEN_FIRST, today, page, per_page)


def find_posts(session: Session, words: str) -> list[Post]:
    """Posts whose key or title contains every word given (case-insensitive)."""
    query = select(Post).options(joinedload(Post.holder), raiseload("*")).order_by(Post.title)
    for word in words.lower().split():
        query = query.where(
            or_(func.lower(Post.title).contains(word), func.lower(Post.key).contains(word))
        )
    return list(session.scalars(query))


def overdue_actions(
    session: Session, plan: Plan, today: date, *, page: int = 0, per_page: int = 10
) -> ActionPage:
    criteria = [Action.plan_id == plan.id, Action.due < today, Action.status.not_in(DONE)]
    return _page(session, criteria, (Action.due, Action.ref), today, page, per_page)


def actions_by_id(session: Session, ids: Sequence[int], today: date) -> list[ActionCard]:
    by_id = {a.id: a for a in session.scalars(_action_query().where(Action.id.in_(ids)))}
    return _cards(session, [by_id[i] for i in ids if i in by_id], today)


def recommendations_by_id(session: Session, ids: Sequence[int]) -> list[Recommendation]:
    by_id = {
        r.id: r
        for r in session.scalars(
            select(Recommendation)
            .where(Recommendation.id.in_(ids))
            .options(
                joinedload(Recommendation.plan).options(*_plan_options()),
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
