"""An action's card: the action with its owner today, its latest standing update (kept on the
action, `Action.latest_update_id`) and who covers its post today, all joined into the one
statement that loads the actions (issue 9)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Load, aliased, joinedload, raiseload

from db.models import Action, Cover, Person, Plan, Post, Recommendation, Update


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


def plan_options() -> tuple[Any, ...]:
    return (joinedload(Plan.source), raiseload("*"))


LATEST_UPDATE = aliased(Update, name="latest_update")
COVERING = aliased(Person, name="covering")


def covering_id() -> Any:
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


def card_query(*columns: Any) -> Select[Any]:
    """Each action with its owner, its latest standing update (kept on the action,
    `Action.latest_update_id`) and today's cover, in one statement."""
    return (
        select(Action, LATEST_UPDATE, COVERING, *columns)
        .outerjoin(LATEST_UPDATE, LATEST_UPDATE.id == Action.latest_update_id)
        .outerjoin(COVERING, COVERING.id == covering_id())
        .options(*card_options())
    )


def card_options() -> tuple[Any, ...]:
    return (
        joinedload(Action.owner_post).joinedload(Post.holder),
        joinedload(Action.plan).options(*plan_options()),
        joinedload(Action.recommendation).options(
            joinedload(Recommendation.plan).options(*plan_options()),
            joinedload(Recommendation.theme),
            raiseload("*"),
        ),
        joinedload(LATEST_UPDATE.author),
        Load(LATEST_UPDATE).raiseload("*"),
        Load(COVERING).raiseload("*"),
        Load(Action).raiseload("*"),
    )


# built once: building SQLAlchemy expressions was a third of a lookup's CPU time (issue 9)


def card(row: Any) -> ActionCard:
    action = row[0]
    holder = action.owner_post.holder if action.owner_post else None
    return ActionCard(action, holder, row[1], row[2])
