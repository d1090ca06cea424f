"""What the request benchmarks ask for: the current plan's numbers and refs, and an owner."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from db.database import Database
from db.models import Action, Person, Plan, Post, Recommendation


@dataclass(frozen=True)
class Targets:
    plan_key: str
    numbers: list[str]
    refs: list[str]
    owner: str | None


def current_plan_targets(database: Database) -> Targets:
    with database.sessions() as session:
        plan = (
            session.scalar(select(Plan).where(Plan.is_current))
            or session.scalars(select(Plan)).first()
        )
        assert plan is not None, "no plans: run bench/generate.py first"
        numbers = list(
            session.scalars(select(Recommendation.number).where(Recommendation.plan_id == plan.id))
        )
        refs = list(session.scalars(select(Action.ref).where(Action.plan_id == plan.id)))
        owner = session.scalar(
            select(Person.slack_user_id)
            .join(Post, Post.holder_id == Person.id)
            .join(Action, Action.owner_post_id == Post.id)
            .where(Action.plan_id == plan.id)
            .limit(1)
        )
        return Targets(plan.key, numbers, refs, owner)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0
