"""Read queries the CLI and the bot share. Each is one or two statements, whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db.models import Action, Cover, Person, Plan, Post, Recommendation


@dataclass(frozen=True)
class PlanSummary:
    key: str
    title: str
    council: str
    published: str
    is_current: bool
    recommendations: int
    actions: int
    kind: str = ""
    published_on: date | None = None  # the statutory clock's dates (jobs/statutory.py)
    received: date | None = None
    submitted: date | None = None


def plan_summaries(session: Session) -> list[PlanSummary]:
    rec_counts = (
        select(Recommendation.plan_id, func.count().label("n"))
        .group_by(Recommendation.plan_id)
        .subquery()
    )
    action_counts = (
        select(Action.plan_id, func.count().label("n")).group_by(Action.plan_id).subquery()
    )
    rows = session.execute(
        select(Plan, func.coalesce(rec_counts.c.n, 0), func.coalesce(action_counts.c.n, 0))
        .outerjoin(rec_counts, rec_counts.c.plan_id == Plan.id)
        .outerjoin(action_counts, action_counts.c.plan_id == Plan.id)
        .order_by(Plan.council, Plan.published.desc(), Plan.key)
    )
    return [
        PlanSummary(
            plan.key,
            plan.title,
            plan.council,
            plan.published.isoformat() if plan.published else "",
            plan.is_current,
            recs,
            actions,
            plan.kind,
            plan.published,
            plan.received,
            plan.submitted,
        )
        for plan, recs, actions in rows
    ]


def plan_by_key(session: Session, key: str) -> Plan | None:
    return session.scalar(select(Plan).where(Plan.key == key))


def inspection_plans(session: Session) -> list[Plan]:
    """The plans of inspections, which have a statutory clock (jobs/statutory.py)."""
    return list(session.scalars(select(Plan).where(Plan.kind == "inspection").order_by(Plan.key)))


def has_plans(session: Session) -> bool:
    return session.scalar(select(Plan.id).limit(1)) is not None


def posts_with_holders(session: Session) -> list[Post]:
    return list(session.scalars(select(Post).options(selectinload(Post.holder)).order_by(Post.key)))


def get_or_create_person(session: Session, slack_user_id: str) -> Person:
    person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
    if person is None:
        person = Person(slack_user_id=slack_user_id)
        session.add(person)
        session.flush()
    return person


def set_post_holder(session: Session, post_key: str, slack_user_id: str) -> Post:
    """Make a Slack user the holder of a post; LookupError if the post is unknown."""
    post = session.scalar(select(Post).where(Post.key == post_key))
    if post is None:
        post = session.scalar(select(Post).where(func.lower(Post.title) == post_key.lower()))
    if post is None:
        raise LookupError(post_key)
    post.holder = get_or_create_person(session, slack_user_id)
    return post


def covers_from(session: Session, day: date) -> list[Cover]:
    return list(
        session.scalars(
            select(Cover)
            .where(Cover.ends_on >= day)
            .options(selectinload(Cover.person), selectinload(Cover.post))
            .order_by(Cover.starts_on)
        )
    )


def illustrative_fields(session: Session, plan_id: int) -> set[str]:
    """Which of a plan's action fields are illustrative (marked so in its plan file: owner, due,
    status, rag), across its actions; empty for a council's own plan."""
    found: set[str] = set()
    for fields in session.scalars(select(Action.illustrative).where(Action.plan_id == plan_id)):
        found.update(fields or ())
    return found
