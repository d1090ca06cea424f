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
# a recommendation's columns, each under the name `shown_row()` reads (join `shown_joins`)
SHOWN_COLUMNS = (
    Recommendation.id.label("shown_id"),
    Recommendation.number.label("shown_number"),
    Recommendation.text.label("shown_text"),
    Recommendation.area.label("shown_area"),
    Recommendation.paragraphs.label("shown_paragraphs"),
    Recommendation.findings.label("shown_findings"),
    Recommendation.response.label("shown_response"),
    Theme.title.label("shown_theme"),
    SHOWN_PLAN.key.label("shown_plan_key"),
    SHOWN_PLAN.title.label("shown_plan_title"),
    SHOWN_PLAN.body.label("shown_plan_body"),
    SHOWN_PLAN.published.label("shown_plan_published"),
    SHOWN_PLAN.overall.label("shown_plan_overall"),
    SHOWN_SOURCE.title.label("shown_source"),
)


def shown_joins(query: Selection) -> Selection:
    """Join what `SHOWN_COLUMNS` reads to a query that has the recommendation table in it."""
    return (
        query.join(SHOWN_PLAN, SHOWN_PLAN.id == Recommendation.plan_id)
        .outerjoin(Theme, Theme.id == Recommendation.theme_id)
        .outerjoin(SHOWN_SOURCE, SHOWN_SOURCE.id == SHOWN_PLAN.source_id)
    )


def shown_row(row: Any) -> RecommendationShown:
    """The recommendation in a row that has SHOWN_COLUMNS (read by name)."""
    m = row._mapping
    plan = PlanShown(
        m["shown_plan_key"],
        m["shown_plan_title"],
        m["shown_plan_body"],
        m["shown_plan_published"],
        m["shown_plan_overall"],
        _title(m["shown_source"]),
    )
    return RecommendationShown(
        m["shown_id"],
        m["shown_number"],
        m["shown_text"],
        m["shown_area"],
        m["shown_paragraphs"],
        m["shown_findings"],
        m["shown_response"],
        _title(m["shown_theme"]),
        plan,
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


# a card's columns, each under the name `card()` reads
CARD_COLUMNS = (
    Action.id.label("action_id"),
    Action.ref.label("action_ref"),
    Action.title.label("action_title"),
    Action.status.label("action_status"),
    Action.rag.label("action_rag"),
    Action.due.label("action_due"),
    Action.due_original.label("action_due_original"),
    Action.evidence.label("action_evidence"),
    Post.title.label("post_title"),
    HOLDER.slack_user_id.label("holder_id"),
    HOLDER.name.label("holder_name"),
    CARD_REC.number.label("rec_number"),
    CARD_REC.text.label("rec_text"),
    CARD_PLAN.key.label("plan_key"),
    CARD_PLAN.title.label("plan_title"),
    LATEST_UPDATE.id.label("update_id"),
    LATEST_UPDATE.text.label("update_text"),
    LATEST_UPDATE.rag_from.label("update_rag_from"),
    LATEST_UPDATE.rag_to.label("update_rag_to"),
    LATEST_UPDATE.created_at.label("update_created_at"),
    AUTHOR.slack_user_id.label("author_id"),
    AUTHOR.name.label("author_name"),
    COVERING.slack_user_id.label("covering_id"),
    COVERING.name.label("covering_name"),
)


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
    """The card in a row that has CARD_COLUMNS (read by name)."""
    m = row._mapping
    recommendation = RecommendationRow(
        m["rec_number"], m["rec_text"], PlanRow(m["plan_key"], m["plan_title"])
    )
    action = ActionRow(
        m["action_id"],
        m["action_ref"],
        m["action_title"],
        m["action_status"],
        m["action_rag"],
        m["action_due"],
        m["action_due_original"],
        m["action_evidence"],
        _title(m["post_title"]),
        recommendation,
    )
    latest = None
    if m["update_id"] is not None:
        latest = UpdateRow(
            m["update_text"],
            m["update_rag_from"],
            m["update_rag_to"],
            m["update_created_at"],
            _person(m["author_id"], m["author_name"]),
        )
    return ActionCard(
        action,
        _person(m["holder_id"], m["holder_name"]),
        latest,
        _person(m["covering_id"], m["covering_name"]),
    )
