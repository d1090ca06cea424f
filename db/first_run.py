"""What an honest first run needs to know of the current plan: whether its data is illustrative
(the shipped plans: real recommendations, made-up owners and dates), a moment inside its life
(so that a newcomer sees a living plan, not everything overdue by years), and the post owning
most of its actions (for the console's newcomer to hold)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Action, Post
from db.plans import PlanNotFoundError, current_plan, illustrative_fields
from db.status import DONE

LEAD = timedelta(days=30)  # the living moment: this long before the first open action is due


@dataclass(frozen=True)
class FirstRun:
    plan_key: str
    illustrative: bool
    living_day: date | None  # a day inside the plan's life; None if the plan has no dates
    busiest_post: str | None  # the post owning most of its actions


def first_run(session: Session, configured: str | None) -> FirstRun | None:
    """The current plan as a first run sees it; None when no plan is loaded."""
    try:
        plan = current_plan(session, configured)
    except PlanNotFoundError:
        return None
    dues = session.scalars(
        select(Action.due).where(
            Action.plan_id == plan.id,
            Action.due.is_not(None),
            Action.status.not_in(list(DONE)),
        )
    )
    first_due = min((d for d in dues if d is not None), default=None)
    living = None
    if first_due is not None:
        living = first_due - LEAD
        if plan.published is not None:
            living = max(living, plan.published)
    busiest = session.execute(
        select(Post.key, func.count())
        .join(Action, Action.owner_post_id == Post.id)
        .where(Action.plan_id == plan.id)
        .group_by(Post.key)
        .order_by(func.count().desc(), Post.key)
        .limit(1)
    ).first()
    return FirstRun(
        plan.key,
        bool(illustrative_fields(session, plan.id)),
        living,
        busiest[0] if busiest else None,
    )
