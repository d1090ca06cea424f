"""Plans: which one is current, which one a word names, and what a list of them shows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from db.cards import (
    plan_options,
)
from db.models import Action, Plan, Recommendation

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


def illustrative_fields(session: Session, plan_id: int) -> set[str]:
    """Which of a plan's action fields are illustrative (marked so in its plan file: owner, due,
    status, rag), across its actions; empty for a council's own plan."""
    found: set[str] = set()
    for fields in session.scalars(select(Action.illustrative).where(Action.plan_id == plan_id)):
        found.update(fields or ())
    return found
