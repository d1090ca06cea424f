"""Importing a plan spreadsheet: one transaction, every change in the audit trail.

New plans (from a workbook's Plans sheet), recommendations, posts and actions are added. On a
stored action a new title or owner post is set and written to the audit trail; a new due date,
status or RAG is logged as an update by whoever ran the import (db.updates.record_update, the
one path every update takes: the same rules, the original due date kept, history and audit
as if the owner had sent it), its text naming the file and row. A dry run does all of it and
rolls back, so what it prints is what the import would do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Action, Plan, Post, Recommendation, UpdateSource
from db.plan_sheets import CellProblem, SheetFileError, read_sheets
from db.posts import get_or_create_person
from db.sheet_changes import LOGGED, PlannedAction, SheetPlan, plan_sheet_changes
from db.status import ActionStatus, settle_rag
from db.updates import UpdateRefusedError, UpdateRequest, record_update, write_audit

DRY_RUN_AUTHOR = "U0DRYRUN"  # rolled back with everything else


class ImporterNeededError(ValueError):
    """The sheet changes actions, and no one is named as making the changes."""


@dataclass(frozen=True)
class SheetImport:
    path: Path
    by: str | None
    today: date
    dry_run: bool = False


def import_plan_sheet(factory: sessionmaker[Session], request: SheetImport) -> SheetPlan:
    """Apply a spreadsheet in one transaction (or SheetFileError: nothing written)."""
    tables = read_sheets(request.path)
    with factory() as session:
        found = plan_sheet_changes(session, tables)
        if found.problems:
            raise SheetFileError(str(request.path), found.problems)
        touches = found.added or found.changed or found.new_plans
        if touches and request.by is None and not request.dry_run:
            raise ImporterNeededError(
                "the sheet changes the plan, and each change is recorded as made by someone: "
                "give your Slack member id with --by U0123ABCD (nothing was written)"
            )
        _apply(session, found, request)
        if found.problems:
            session.rollback()
            raise SheetFileError(str(request.path), found.problems)
        if request.dry_run:  # the changes are described after: keep what they name loaded
            session.expunge_all()
            session.rollback()
        else:
            session.commit()
    return found


def _apply(session: Session, found: SheetPlan, request: SheetImport) -> None:
    posts = {p.key: p for p in session.scalars(select(Post))}
    new_posts = {title: _new_post(session, title, posts) for title in found.new_posts}
    plans = _new_plans(session, found)
    author = request.by or DRY_RUN_AUTHOR
    for planned in found.actions:
        owner = new_posts[planned.owner] if isinstance(planned.owner, str) else planned.owner
        if planned.action is None:
            _add(session, planned, plans[planned.plan_key], owner, author, request)
        elif planned.changes:
            _change(session, found, planned, owner, author, request)
    session.flush()


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70] or "post"


def _new_post(session: Session, title: str, posts: dict[str, Post]) -> Post:
    key, n = _slug(title), 2
    while key in posts:
        key, n = f"{_slug(title)}-{n}", n + 1
    post = posts[key] = Post(key=key, title=title)
    session.add(post)
    return post


def _new_plans(session: Session, found: SheetPlan) -> dict[str, Plan]:
    plans = {p.key: p for p in session.scalars(select(Plan))}
    has_current = any(p.is_current for p in plans.values())
    for values in found.new_plans:
        plan = Plan(
            key=values["key"],
            title=values["title"],
            council=values["council"],
            kind=values["kind"],
            body=values["body"],
            published=values["published"],
            is_current=not has_current,
        )
        has_current = True
        session.add(plan)
        plans[plan.key] = plan
    return plans


def _add(
    session: Session,
    planned: PlannedAction,
    plan: Plan,
    owner: Post | None,
    author: str,
    request: SheetImport,
) -> None:
    rec = next((r for r in plan.recommendations if r.number == planned.number), None)
    if rec is None:
        rec = Recommendation(
            plan=plan,
            number=planned.number,
            position=len(plan.recommendations),
            text=planned.rec_text,
        )
        session.add(rec)
    status = planned.status or ActionStatus.NOT_STARTED
    action = Action(
        plan=plan,
        recommendation=rec,
        ref=planned.ref,
        position=len(rec.actions),
        title=planned.title,
        owner_post=owner,
        due=planned.due,
        due_original=planned.due,
        status=status,
        rag=settle_rag(status, planned.rag),
        evidence=planned.evidence,
    )
    session.add(action)
    session.flush()
    person = get_or_create_person(session, author)
    write_audit(session, "import", person, action, None, added=_where(planned, request))


def _where(planned: PlannedAction, request: SheetImport) -> str:
    return f"{request.path.name}, {planned.row.sheet} row {planned.row.number}"


def _change(
    session: Session,
    found: SheetPlan,
    planned: PlannedAction,
    owner: Post | None,
    author: str,
    request: SheetImport,
) -> None:
    """Set a new title or owner (audited); log a new due date, status or RAG as an update."""
    action = planned.action
    assert action is not None
    fields = {c.field: c for c in planned.changes}
    if {"title", "owner"} & fields.keys():
        action.title = planned.title
        action.owner_post = owner
        person = get_or_create_person(session, author)
        title, post = fields.get("title"), fields.get("owner")
        write_audit(
            session,
            "import",
            person,
            action,
            None,
            file=_where(planned, request),
            title=f"{title.before} → {title.after}" if title else None,
            owner=f"{post.before} → {post.after}" if post else None,
        )
    if not LOGGED & fields.keys():
        return
    status_changed = "status" in fields
    try:
        record_update(
            session,
            UpdateRequest(
                action_id=action.id,
                author=author,
                text=f"Changed by the import of {_where(planned, request)}",
                source=UpdateSource.IMPORT,
                status=planned.status if status_changed else None,
                rag=planned.rag,
                evidence=planned.evidence if planned.status == ActionStatus.COMPLETE else None,
                due=planned.due if "due" in fields else None,
                due_reason=f"changed in {_where(planned, request)}",
            ),
            today=request.today,
            admins=(author,),
        )
    except UpdateRefusedError as refused:
        column = "status" if status_changed else ("due" if "due" in fields else "rag")
        row = planned.row
        found.problems.append(
            CellProblem(row.sheet, row.number, row.letters[column], column, str(refused))
        )
