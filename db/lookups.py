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

from sqlalchemy import Select, bindparam, func, or_, select, true
from sqlalchemy.orm import Load, Session, aliased, joinedload, raiseload

from db.models import (
    Action,
    ActionStatus,
    Cover,
    Person,
    Plan,
    Post,
    Recommendation,
    Update,
)

DONE = (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF)
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


_PLAN = select(Plan).options(*_plan_options())
_CONFIGURED_PLAN = _PLAN.where(Plan.key == bindparam("key"))
_CURRENT_PLAN = _PLAN.where(Plan.is_current)
_NEWEST_PLAN = _PLAN.order_by(Plan.published.desc().nulls_last(), Plan.id).limit(1)


def current_plan(session: Session, configured: str | None) -> Plan:
    if configured:
        plan = session.scalar(_CONFIGURED_PLAN, {"key": configured})
    else:
        plan = session.scalar(_CURRENT_PLAN)
    if plan is None:
        plan = session.scalar(_NEWEST_PLAN)
    if plan is None:
        raise PlanNotFoundError(
            "No plans are loaded yet. An admin can load one with `ofsted-bot plan import`."
        )
    return plan


def _current_plan_id(configured: bool) -> Any:
    """`current_plan`'s choice as a scalar subquery (NULL when there are no plans), so that a
    lookup in the current plan is one statement: the plan `configured` names (bind `configured`)
    else the one marked current, else the newest."""
    chosen = (
        select(Plan.id).where(Plan.key == bindparam("configured"))
        if configured
        else select(Plan.id).where(Plan.is_current)
    )
    newest = select(Plan.id).order_by(Plan.published.desc().nulls_last(), Plan.id).limit(1)
    return func.coalesce(chosen.limit(1).scalar_subquery(), newest.scalar_subquery())


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


_RECOMMENDATION = (
    select(Recommendation)
    .where(
        Recommendation.plan_id == bindparam("plan"),
        func.lower(Recommendation.number) == bindparam("lower"),
    )
    .options(
        joinedload(Recommendation.theme),
        joinedload(Recommendation.plan).options(*_plan_options()),
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


_LATEST_UPDATE = aliased(Update, name="latest_update")
_COVERING = aliased(Person, name="covering")


def _covering_id() -> Any:
    """Who covers the action's owning post today (the newest such cover), as a scalar subquery."""
    return (
        select(Cover.person_id)
        .where(
            Cover.post_id == Action.owner_post_id,
            Cover.starts_on <= bindparam("today"),
            Cover.ends_on >= bindparam("today"),
        )
        .order_by(Cover.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )


def _card_query(*columns: Any) -> Select[Any]:
    """Each action with its owner, its latest standing update (kept on the action,
    `Action.latest_update_id`) and today's cover, in one statement."""
    return (
        select(Action, _LATEST_UPDATE, _COVERING, *columns)
        .outerjoin(_LATEST_UPDATE, _LATEST_UPDATE.id == Action.latest_update_id)
        .outerjoin(_COVERING, _COVERING.id == _covering_id())
        .options(*_card_options())
    )


def _card_options() -> tuple[Any, ...]:
    return (
        joinedload(Action.owner_post).joinedload(Post.holder),
        joinedload(Action.plan).options(*_plan_options()),
        joinedload(Action.recommendation).options(
            joinedload(Recommendation.plan).options(*_plan_options()),
            joinedload(Recommendation.theme),
            raiseload("*"),
        ),
        joinedload(_LATEST_UPDATE.author),
        Load(_LATEST_UPDATE).raiseload("*"),
        Load(_COVERING).raiseload("*"),
        Load(Action).raiseload("*"),
    )


# built once: building SQLAlchemy expressions was a third of a lookup's CPU time (issue 9)
_ACTIONS = _card_query()
_ACTIONS_OF_RECOMMENDATION = _ACTIONS.where(Action.recommendation_id == bindparam("rec")).order_by(
    Action.position
)
_ACTION_BY_REF = _ACTIONS.where(
    Action.plan_id == bindparam("plan"), func.lower(Action.ref) == bindparam("ref")
)
_ACTIONS_BY_ID = _ACTIONS.where(Action.id.in_(bindparam("ids", expanding=True)))


def _card(row: Any) -> ActionCard:
    action = row[0]
    holder = action.owner_post.holder if action.owner_post else None
    return ActionCard(action, holder, row[1], row[2])


def recommendation_card(session: Session, rec: Recommendation, today: date) -> RecommendationCard:
    rows = session.execute(_ACTIONS_OF_RECOMMENDATION, {"rec": rec.id, "today": today})
    return RecommendationCard(rec, [_card(row) for row in rows])


_CURRENT_ACTION_BY_REF = {
    configured: _ACTIONS.where(
        Action.plan_id == _current_plan_id(configured), func.lower(Action.ref) == bindparam("ref")
    )
    for configured in (False, True)
}


def find_current_action(
    session: Session, configured: str | None, ref: str, today: date
) -> ActionCard | None:
    """`find_action` in `current_plan(session, configured)`, in one statement; None when there
    is no such action (or no plan)."""
    params = {"configured": configured, "ref": ref.lower(), "today": today}
    row = session.execute(_CURRENT_ACTION_BY_REF[bool(configured)], params).first()
    return _card(row) if row else None


def _current_recommendation_query(
    configured: bool,
) -> Select[Recommendation, Action, Update, Person]:
    number = (
        select(Recommendation.id)
        .where(
            Recommendation.plan_id == _current_plan_id(configured),
            func.lower(Recommendation.number) == bindparam("lower"),
        )
        .order_by((Recommendation.number == bindparam("number")).desc(), Recommendation.position)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(Recommendation, Action, _LATEST_UPDATE, _COVERING)
        .outerjoin(Action, Action.recommendation_id == Recommendation.id)
        .outerjoin(_LATEST_UPDATE, _LATEST_UPDATE.id == Action.latest_update_id)
        .outerjoin(_COVERING, _COVERING.id == _covering_id())
        .where(Recommendation.id == number)
        .order_by(Action.position)
        .options(
            joinedload(Recommendation.theme),
            joinedload(Recommendation.plan).options(*_plan_options()),
            Load(Recommendation).raiseload("*"),
            *_card_options(),
        )
    )


_CURRENT_RECOMMENDATION = {c: _current_recommendation_query(c) for c in (False, True)}


def current_recommendation_card(
    session: Session, configured: str | None, number: str, today: date
) -> RecommendationCard | None:
    """`find_recommendation` in `current_plan(session, configured)` and its `recommendation_card`,
    in one statement; None when there is no such recommendation (or no plan)."""
    params = {"configured": configured, "lower": number.lower(), "number": number, "today": today}
    rows = session.execute(_CURRENT_RECOMMENDATION[bool(configured)], params).all()
    if not rows:
        return None
    return RecommendationCard(rows[0][0], [_card(row[1:]) for row in rows if row[1] is not None])


def find_action(session: Session, plan: Plan, ref: str, today: date) -> ActionCard | None:
    row = session.execute(
        _ACTION_BY_REF, {"plan": plan.id, "ref": ref.lower(), "today": today}
    ).first()
    return _card(row) if row else None


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
            Cover.starts_on <= bindparam("today"),
            Cover.ends_on >= bindparam("today"),
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


def _page_ids(criteria: Sequence[Any], order: Sequence[Any]) -> Any:
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
    """One statement for a page: the page's action ids picked (and all of them counted, by a
    window) on the action table alone, then joined to everything shown about them; and the
    count on its own, for a page past the end."""
    ids = select(Action.id).where(*criteria)
    page = (
        ids.add_columns(
            func.count().over().label("total"),
            func.row_number().over(order_by=order).label("pos"),
        )
        .order_by(*order)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .subquery("page")
    )
    cards = _card_query(page.c.total).join(page, page.c.id == Action.id).order_by(page.c.pos)
    return cards, select(func.count()).select_from(ids.subquery())


def _page(
    session: Session,
    queries: tuple[Select[Any], Select[Any]],
    params: dict[str, Any],
    page: int,
    per_page: int,
) -> ActionPage:
    cards, count = queries
    params = {**params, "offset": page * per_page, "limit": per_page}
    rows = session.execute(cards, params).all()
    if rows:  # the count comes with the page (a window over the whole selection)
        total = int(rows[0][3])
    elif page:  # past the end: count on its own
        total = session.scalar(count, params) or 0
    else:
        total = 0
    return ActionPage([_card(row) for row in rows], total, page, per_page)


_MINE = _page_query([Action.owner_post_id.in_(_posts_of_user())], OPEN_FIRST)
_OF_POST = _page_query([Action.owner_post_id == bindparam("post")], OPEN_FIRST)


def _overdue(plan_id: Any) -> list[Any]:
    return [Action.plan_id == plan_id, Action.due < bindparam("today"), Action.status.not_in(DONE)]


OVERDUE_ORDER = (Action.due, Action.ref)
_OVERDUE = _page_query(_overdue(bindparam("plan")), OVERDUE_ORDER)


def _current_overdue_query(configured: bool) -> Any:
    """The current plan, and a page of its overdue actions (if any) with their cards."""
    plan_id = _current_plan_id(configured)
    page = _page_ids(_overdue(plan_id), OVERDUE_ORDER)
    return (
        select(Plan, Action, _LATEST_UPDATE, _COVERING, page.c.total)
        .select_from(Plan)
        .outerjoin(page, true())
        .outerjoin(Action, Action.id == page.c.id)
        .outerjoin(_LATEST_UPDATE, _LATEST_UPDATE.id == Action.latest_update_id)
        .outerjoin(_COVERING, _COVERING.id == _covering_id())
        .where(Plan.id == plan_id)
        .order_by(page.c.pos)
        .options(joinedload(Plan.source), Load(Plan).raiseload("*"), *_card_options())
    )


_CURRENT_OVERDUE = {c: _current_overdue_query(c) for c in (False, True)}


def current_overdue_actions(
    session: Session, configured: str | None, today: date, *, page: int = 0, per_page: int = 10
) -> tuple[Plan, ActionPage] | None:
    """`overdue_actions` of `current_plan(session, configured)`, with that plan, in one
    statement (two for a page past the end); None when there are no plans."""
    params = {
        "configured": configured,
        "today": today,
        "offset": page * per_page,
        "limit": per_page,
    }
    rows = session.execute(_CURRENT_OVERDUE[bool(configured)], params).all()
    if not rows:
        return None
    plan = rows[0][0]
    cards = [_card(row[1:]) for row in rows if row[1] is not None]
    if cards:
        return plan, ActionPage(cards, int(rows[0][4]), page, per_page)
    return plan, overdue_actions(session, plan, today, page=page, per_page=per_page)


def actions_of_person(
    session: Session, slack_user_id: str, today: date, *, page: int = 0, per_page: int = 10
) -> ActionPage:
    """Actions owned by the posts a person holds or covers today, open ones first by due date."""
    return _page(session, _MINE, {"user": slack_user_id, "today": today}, page, per_page)


def actions_of_post(
    session: Session, post: Post, today: date, *, page: int = 0, per_page: int = 10
) -> ActionPage:
    return _page(session, _OF_POST, {"post": post.id, "today": today}, page, per_page)


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
    return _page(session, _OVERDUE, {"plan": plan.id, "today": today}, page, per_page)


def actions_by_id(session: Session, ids: Sequence[int], today: date) -> list[ActionCard]:
    rows = session.execute(_ACTIONS_BY_ID, {"ids": list(ids), "today": today})
    by_id = {row[0].id: _card(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _found_query() -> Any:
    action_ids: Any = bindparam("action_ids", expanding=True)
    of_actions = select(Action.recommendation_id).where(Action.id.in_(action_ids))
    return (
        select(Recommendation, Action)
        .outerjoin(
            Action, (Action.recommendation_id == Recommendation.id) & Action.id.in_(action_ids)
        )
        .where(
            Recommendation.id.in_(bindparam("rec_ids", expanding=True))
            | Recommendation.id.in_(of_actions)
        )
        .options(
            joinedload(Recommendation.plan).options(*_plan_options()),
            joinedload(Recommendation.theme),
            Load(Recommendation).raiseload("*"),
            joinedload(Action.owner_post).joinedload(Post.holder),
            joinedload(Action.plan).options(*_plan_options()),
            joinedload(Action.recommendation).options(
                joinedload(Recommendation.plan).options(*_plan_options()),
                joinedload(Recommendation.theme),
                raiseload("*"),
            ),
            Load(Action).raiseload("*"),
        )
    )


_FOUND = _found_query()


def found_items(
    session: Session, rec_ids: Sequence[int], action_ids: Sequence[int]
) -> tuple[dict[int, Recommendation], dict[int, Action]]:
    """Recommendations and actions by id (what a search found), in one statement: each action
    as `actions_by_id` loads it, each recommendation as `recommendations_by_id` does."""
    recs: dict[int, Recommendation] = {}
    actions: dict[int, Action] = {}
    wanted = set(rec_ids)
    if not wanted and not action_ids:
        return recs, actions
    params = {"rec_ids": list(rec_ids), "action_ids": list(action_ids)}
    for rec, action in session.execute(_FOUND, params):
        if rec.id in wanted:
            recs[rec.id] = rec
        if action is not None:
            actions[action.id] = action
    return recs, actions


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
