"""Exporting plans: YAML in the plan file format (round-trips through import); the councils.

Spreadsheets (XLSX, CSV) are db.sheet_export's.
"""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Action, Board, Plan, Post, Recommendation


def load_plans(session: Session, council: str | None) -> list[Plan]:
    query = (
        select(Plan)
        .options(
            selectinload(Plan.judgements),
            selectinload(Plan.themes),
            selectinload(Plan.source),
            selectinload(Plan.recommendations).selectinload(Recommendation.theme),
            selectinload(Plan.recommendations)
            .selectinload(Recommendation.actions)
            .selectinload(Action.owner_post)
            .selectinload(Post.holder),
        )
        .order_by(Plan.id)
    )
    plans = list(session.scalars(query))
    if council is None:
        current = next((p for p in plans if p.is_current), plans[0] if plans else None)
        council = current.council if current else None
    return [p for p in plans if p.council == council]


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v not in (None, [], "") and v is not False}


def _span(plan: Plan) -> str | None:
    if plan.inspected_from is None:
        return None
    if plan.inspected_to in (None, plan.inspected_from):
        return plan.inspected_from.isoformat()
    assert plan.inspected_to is not None
    return f"{plan.inspected_from.isoformat()} to {plan.inspected_to.isoformat()}"


def _action(action: Action) -> dict[str, Any]:
    return _drop_empty(
        {
            "ref": action.ref,
            "title": action.title,
            "owner": action.owner_post.key if action.owner_post else None,
            "due": action.due,
            "original_due": action.due_original if action.due_original != action.due else None,
            "status": action.status.value,
            "rag": action.rag.value if action.rag else None,
            "evidence": action.evidence,
            "source": action.source_ref,
            "illustrative": list(action.illustrative),
        }
    )


def _recommendation(r: Recommendation) -> dict[str, Any]:
    data = _drop_empty(
        {
            "number": r.number,
            "text": r.text,
            "framework": r.framework,
            "theme": r.theme.key if r.theme else None,
            "area": r.area,
            "paragraphs": list(r.paragraphs),
            "findings": list(r.findings),
            "response": r.response,
            "actions": [_action(a) for a in r.actions],
            "illustrative": list(r.illustrative),
        }
    )
    if not r.number_printed:  # kept explicitly: the number is the item's position
        data = {"number": r.number, "number_printed": False, **data}
    return data


def _plan(plan: Plan) -> dict[str, Any]:
    return _drop_empty(
        {
            "key": plan.key,
            "title": plan.title,
            "kind": plan.kind,
            "body": plan.body,
            "inspected": _span(plan),
            "lead_inspector": plan.lead_inspector,
            "published": plan.published,
            "received": plan.received,
            "submitted": plan.submitted,
            "current": plan.is_current,
            "source": plan.source.key if plan.source else None,
            "overall": plan.overall,
            "judgements": [{"area": j.area, "grade": j.grade} for j in plan.judgements],
            "themes": [
                _drop_empty({"key": t.key, "title": t.title, "illustrative": t.illustrative})
                for t in plan.themes
            ],
            "recommendations": [_recommendation(r) for r in plan.recommendations],
        }
    )


def _post(p: Post) -> dict[str, Any]:
    return _drop_empty(
        {
            "key": p.key,
            "title": p.title,
            "holder": p.holder.slack_user_id if p.holder else None,
            "illustrative": p.illustrative,
        }
    )


def _board(b: Board) -> dict[str, Any]:
    return _drop_empty(
        {
            "key": b.key,
            "name": b.name,
            "every_weeks": b.every_weeks,
            "anchor": b.anchor,
            "channel": b.channel,
            "secretary": b.secretary_post.key if b.secretary_post else None,
            "plans": [p.key for p in b.plans],
            "nudge_days": b.nudge_days,
            "second_nudge_days": b.second_nudge_days,
            "digest_days": b.digest_days,
            "send_time": b.send_time,
            "illustrative": list(b.illustrative),
        }
    )


def export_document(session: Session, council: str | None = None) -> dict[str, Any]:
    """The database's plans for one council (default: the current plan's) as a plan file."""
    plans = load_plans(session, council)
    if not plans:
        return {}
    keys = {p.key for p in plans}
    boards = [
        b
        for b in session.scalars(
            select(Board)
            .options(selectinload(Board.plans), selectinload(Board.secretary_post))
            .order_by(Board.id)
        )
        if b.plans and {p.key for p in b.plans} <= keys
    ]
    posts: dict[str, Post] = {}
    for plan in plans:
        for rec in plan.recommendations:
            for action in rec.actions:
                if action.owner_post:
                    posts[action.owner_post.key] = action.owner_post
    for board in boards:
        if board.secretary_post:
            posts[board.secretary_post.key] = board.secretary_post
    sources = {p.source.key: p.source for p in plans if p.source}
    return {
        "council": plans[0].council,
        "sources": [
            _drop_empty({"key": s.key, "title": s.title, "file": s.file, "published": s.published})
            for s in sources.values()
        ],
        "posts": [_post(p) for p in sorted(posts.values(), key=lambda p: p.key)],
        "plans": [_plan(p) for p in plans],
        "boards": [_board(b) for b in boards],
    }


def to_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


class NoSuchCouncilError(LookupError):
    """No council (or more than one) in the database matches the name asked for."""


def councils(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(Plan.council))))


def match_council(session: Session, wanted: str) -> str:
    """The council a name means: exactly (any case), else the one whose name contains it."""
    known = councils(session)
    exact = [c for c in known if c.lower() == wanted.strip().lower()]
    found = exact or [c for c in known if wanted.strip().lower() in c.lower()]
    if len(found) == 1:
        return found[0]
    if found:
        raise NoSuchCouncilError(f"{wanted!r} matches several councils: {'; '.join(found)}")
    listed = "; ".join(known) if known else "none: no plans are loaded yet"
    raise NoSuchCouncilError(f"no plans for a council {wanted!r} here (councils: {listed})")
