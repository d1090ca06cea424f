"""An action's card: the action with its owner today, its latest standing update (kept on the
action, `Action.latest_update_id`) and who covers its post today, all joined into the one
statement that loads the actions (no query per card).

Cards are read as plain rows (Core columns, no ORM objects): loading a page of actions as ORM
entities (each with its post, holder, plan, recommendation, update and author) made a lookup
several times slower (bench/requests.py). The small classes below hold just what the views
show, under the models' own names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import aliased, joinedload, raiseload

from db.models import Action, Cover, Person, Plan, Post, Recommendation, Source, Theme, Update
from db.status import ActionStatus, Rag

Selection = Select[*tuple[Any, ...]]  # a select of any columns


@dataclass(frozen=True, slots=True)
class PersonRow:
    slack_user_id: str
    name: str | None


@dataclass(frozen=True, slots=True)
class TitleRow:
    """Something shown by its title: a post, a theme, a source."""

    title: str


@dataclass(frozen=True, slots=True)
class PlanRef:
    """A plan as far as a list of its actions needs it."""

    id: int
    key: str


@dataclass(frozen=True, slots=True)
class PlanRow:
    key: str
    title: str


@dataclass(frozen=True, slots=True)
class RecommendationRow:
    """The recommendation an action answers, as its card shows it."""

    number: str
    text: str
    plan: PlanRow


@dataclass(frozen=True, slots=True)
class ActionRow:
    id: int
    ref: str
    title: str
    status: ActionStatus
    rag: Rag | None
    due: date | None
    due_original: date | None
    evidence: str | None
    owner_post: TitleRow | None
    recommendation: RecommendationRow


@dataclass(frozen=True, slots=True)
class UpdateRow:
    """An action's latest standing update, as its card shows it."""

    text: str
    rag_from: Rag | None
    rag_to: Rag | None
    created_at: datetime
    author: PersonRow | None


@dataclass
class ActionCard:
    """An action with who owns it today and its latest update."""

    action: ActionRow
    owner: PersonRow | None
    latest: UpdateRow | None
    covering: PersonRow | None = None


@dataclass(frozen=True, slots=True)
class PlanShown:
    """A plan as a recommendation's answer shows it."""

    key: str
    title: str
    body: str
    published: date | None
    overall: str | None
    source: TitleRow | None


@dataclass(frozen=True, slots=True)
class RecommendationShown:
    """A recommendation as its answer shows it."""

    id: int
    number: str
    text: str
    area: str | None
    paragraphs: list[str]
    findings: list[str]
    response: str | None
    theme: TitleRow | None
    plan: PlanShown


@dataclass
class RecommendationCard:
    recommendation: RecommendationShown
    actions: list[ActionCard] = field(default_factory=list)


def _title(title: str | None) -> TitleRow | None:
    return TitleRow(title) if title is not None else None


def shown(rec: Recommendation) -> RecommendationShown:
    """A recommendation loaded as an ORM object (with its theme, plan and source), as shown."""
    plan = rec.plan
    source = _title(plan.source.title if plan.source else None)
    return RecommendationShown(
        rec.id,
        rec.number,
        rec.text,
        rec.area,
        rec.paragraphs,
        rec.findings,
        rec.response,
        _title(rec.theme.title if rec.theme else None),
        PlanShown(plan.key, plan.title, plan.body, plan.published, plan.overall, source),
    )


SHOWN_PLAN = aliased(Plan, name="shown_plan")
SHOWN_SOURCE = aliased(Source, name="shown_source")
# a recommendation's columns, in the order `shown_row()` reads them (join `shown_joins`)
SHOWN_COLUMNS = (
    Recommendation.id,
    Recommendation.number,
    Recommendation.text,
    Recommendation.area,
    Recommendation.paragraphs,
    Recommendation.findings,
    Recommendation.response,
    Theme.title,
    SHOWN_PLAN.key,
    SHOWN_PLAN.title,
    SHOWN_PLAN.body,
    SHOWN_PLAN.published,
    SHOWN_PLAN.overall,
    SHOWN_SOURCE.title,
)
SHOWN_WIDTH = len(SHOWN_COLUMNS)


def shown_joins(query: Selection) -> Selection:
    """Join what `SHOWN_COLUMNS` reads to a query that has the recommendation table in it."""
    return (
        query.join(SHOWN_PLAN, SHOWN_PLAN.id == Recommendation.plan_id)
        .outerjoin(Theme, Theme.id == Recommendation.theme_id)
        .outerjoin(SHOWN_SOURCE, SHOWN_SOURCE.id == SHOWN_PLAN.source_id)
    )


def shown_row(row: Any) -> RecommendationShown:
    """The recommendation in a row whose first columns are SHOWN_COLUMNS."""
    id_, number, text, area, paragraphs, findings, response, theme = row[:8]
    key, title, body, published, overall, source = row[8:SHOWN_WIDTH]
    plan = PlanShown(key, title, body, published, overall, _title(source))
    return RecommendationShown(
        id_, number, text, area, paragraphs, findings, response, _title(theme), plan
    )


def plan_options() -> tuple[Any, ...]:
    return (joinedload(Plan.source), raiseload("*"))


LATEST_UPDATE = aliased(Update, name="latest_update")
COVERING = aliased(Person, name="covering")
HOLDER = aliased(Person, name="holder")
AUTHOR = aliased(Person, name="author")
CARD_REC = aliased(Recommendation, name="card_rec")
CARD_PLAN = aliased(Plan, name="card_plan")


def covering_id() -> Any:
    """Who covers the action's owning post today (the newest such cover), as a scalar subquery."""
    return (
        select(Cover.person_id)
        .where(
            Cover.post_id == Action.owner_post_id,
            Cover.on(bindparam("today")),
        )
        .order_by(Cover.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )


# a card's columns, in the order `card()` reads them
CARD_COLUMNS = (
    Action.id,
    Action.ref,
    Action.title,
    Action.status,
    Action.rag,
    Action.due,
    Action.due_original,
    Action.evidence,
    Post.title,
    HOLDER.slack_user_id,
    HOLDER.name,
    CARD_REC.number,
    CARD_REC.text,
    CARD_PLAN.key,
    CARD_PLAN.title,
    LATEST_UPDATE.id,
    LATEST_UPDATE.text,
    LATEST_UPDATE.rag_from,
    LATEST_UPDATE.rag_to,
    LATEST_UPDATE.created_at,
    AUTHOR.slack_user_id,
    AUTHOR.name,
    COVERING.slack_user_id,
    COVERING.name,
)
CARD_WIDTH = len(CARD_COLUMNS)


def card_joins(query: Selection) -> Selection:
    """Join what a card shows to a query that has the action table in it (outer joins, so
    that a recommendation without actions still has its row)."""
    return (
        query.outerjoin(CARD_REC, CARD_REC.id == Action.recommendation_id)
        .outerjoin(CARD_PLAN, CARD_PLAN.id == CARD_REC.plan_id)
        .outerjoin(Post, Post.id == Action.owner_post_id)
        .outerjoin(HOLDER, HOLDER.id == Post.holder_id)
        .outerjoin(LATEST_UPDATE, LATEST_UPDATE.id == Action.latest_update_id)
        .outerjoin(AUTHOR, AUTHOR.id == LATEST_UPDATE.author_id)
        .outerjoin(COVERING, COVERING.id == covering_id())
    )


def card_query(*columns: Any) -> Select[Any]:
    """Each action with its owner, its latest standing update (kept on the action,
    `Action.latest_update_id`) and today's cover, in one statement: the card's columns
    (`card()` reads them), then `columns`."""
    return card_joins(select(*CARD_COLUMNS, *columns).select_from(Action))


def _person(user_id: str | None, name: str | None) -> PersonRow | None:
    return PersonRow(user_id, name) if user_id is not None else None


def card(row: Any) -> ActionCard:
    """The card in a row whose first columns are CARD_COLUMNS."""
    (id_, ref, title, status, rag, due, due_original, evidence, post, holder, holder_name) = row[
        :11
    ]
    (number, text, plan_key, plan_title, update_id, update_text, rag_from, rag_to) = row[11:19]
    (created_at, author, author_name, covering, covering_name) = row[19:CARD_WIDTH]
    recommendation = RecommendationRow(number, text, PlanRow(plan_key, plan_title))
    action = ActionRow(
        id_,
        ref,
        title,
        status,
        rag,
        due,
        due_original,
        evidence,
        _title(post),
        recommendation,
    )
    latest = None
    if update_id is not None:
        latest = UpdateRow(update_text, rag_from, rag_to, created_at, _person(author, author_name))
    return ActionCard(
        action, _person(holder, holder_name), latest, _person(covering, covering_name)
    )
