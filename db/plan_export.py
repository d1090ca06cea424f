"""Exporting plans: YAML in the plan file format (round-trips through import), CSV and XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Action, Board, Plan, Post, Recommendation


def _load_plans(session: Session, council: str | None) -> list[Plan]:
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


def _plan(plan: Plan) -> dict[str, Any]:
    return _drop_empty(
        {
            "key": plan.key,
            "title": plan.title,
            "kind": plan.kind,
            "body": plan.body,
            "inspected": _span(plan),
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
            "recommendations": [
                _drop_empty(
                    {
                        "number": r.number,
                        "text": r.text,
                        "theme": r.theme.key if r.theme else None,
                        "area": r.area,
                        "paragraphs": list(r.paragraphs),
                        "findings": list(r.findings),
                        "response": r.response,
                        "actions": [_action(a) for a in r.actions],
                        "illustrative": list(r.illustrative),
                    }
                )
                for r in plan.recommendations
            ],
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
    plans = _load_plans(session, council)
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


ACTION_COLUMNS = [
    "plan",
    "recommendation",
    "recommendation text",
    "theme",
    "action",
    "title",
    "owner post",
    "owner",
    "due",
    "original due",
    "status",
    "rag",
    "illustrative",
]


def action_rows(session: Session, council: str | None = None) -> list[list[str]]:
    rows = []
    for plan in _load_plans(session, council):
        for rec in plan.recommendations:
            for a in rec.actions:
                holder = a.owner_post.holder if a.owner_post else None
                rows.append(
                    [
                        plan.key,
                        rec.number,
                        rec.text,
                        rec.theme.title if rec.theme else "",
                        a.ref,
                        a.title,
                        a.owner_post.title if a.owner_post else "",
                        holder.slack_user_id if holder else "",
                        a.due.isoformat() if a.due else "",
                        a.due_original.isoformat() if a.due_original else "",
                        a.status.value,
                        a.rag.value if a.rag else "",
                        ", ".join(a.illustrative),
                    ]
                )
    return rows


def to_csv(session: Session, council: str | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ACTION_COLUMNS)
    writer.writerows(action_rows(session, council))
    return out.getvalue()


def write_xlsx(session: Session, path: Path, council: str | None = None) -> None:
    from openpyxl import Workbook  # imported here: the bot's process never writes XLSX
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    recs = book.active
    assert recs is not None
    recs.title = "Recommendations"
    recs.append(["plan", "number", "text", "theme", "area", "paragraphs", "actions"])
    for plan in _load_plans(session, council):
        for r in plan.recommendations:
            recs.append(
                [
                    plan.key,
                    r.number,
                    r.text,
                    r.theme.title if r.theme else "",
                    r.area or "",
                    ", ".join(r.paragraphs),
                    len(r.actions),
                ]
            )
    actions = book.create_sheet("Actions")
    actions.append(ACTION_COLUMNS)
    for action_row in action_rows(session, council):
        actions.append(action_row)
    for sheet in (recs, actions):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)
