"""What a plan spreadsheet would change: each row read, matched and compared, or refused.

Rows are matched to actions by plan key and action ref. A row for an action not yet stored is
an action to add (under its recommendation, added too if new, with the text the row gives); a
row for a stored action changes what differs of its title, owner post, due date, status and
RAG. Nothing is deleted. A change the update rules would refuse (a signed-off action, sign-off
itself, complete without evidence, a RAG that contradicts the status) is refused here, on its
cell, with the same reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Action, Plan, Post, Recommendation
from db.plan_sheets import (
    ACTIONS,
    PLANS,
    CellProblem,
    CellValueError,
    Row,
    Table,
    as_date,
    as_rag,
    as_status,
    text,
)
from db.planfile import PlanKind
from db.status import ACTION_REF_PATTERN, DONE, ActionStatus, Rag, RagConflictError, settle_rag

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LOGGED = frozenset({"due", "status", "rag"})  # changes recorded as updates
_REF = re.compile(rf"^{ACTION_REF_PATTERN}$")


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass
class PlannedAction:
    """One row's effect: an action to add, or a stored one with its changes (maybe none)."""

    row: Row
    plan_key: str
    ref: str
    title: str
    number: str
    rec_text: str
    owner: Post | str | None  # a stored post, a new post's title, or no owner
    due: date | None
    status: ActionStatus | None
    rag: Rag | None
    evidence: str | None
    action: Action | None = None
    changes: list[Change] = field(default_factory=list)


@dataclass
class SheetPlan:
    new_plans: list[dict[str, Any]] = field(default_factory=list)
    new_posts: list[str] = field(default_factory=list)
    actions: list[PlannedAction] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)

    def refuse(self, row: Row, column: str, message: str) -> None:
        letter = row.letters.get(column, "?")
        self.problems.append(CellProblem(row.sheet, row.number, letter, column, message))

    @property
    def added(self) -> list[PlannedAction]:
        return [a for a in self.actions if a.action is None]

    @property
    def changed(self) -> list[PlannedAction]:
        return [a for a in self.actions if a.action is not None and a.changes]

    @property
    def unchanged(self) -> list[PlannedAction]:
        return [a for a in self.actions if a.action is not None and not a.changes]


def _cell(found: SheetPlan, row: Row, column: str, parse: Any) -> Any:
    """The parsed cell, or None with the problem recorded (a missing column is None too)."""
    if not row.has(column):
        return None
    try:
        return parse(row.values[column])
    except CellValueError as exc:
        found.refuse(row, column, str(exc))
        return None


def _plans_sheet(found: SheetPlan, table: Table | None, stored: set[str]) -> set[str]:
    """The Plans sheet's plans not yet stored, checked; their keys."""
    keys: set[str] = set()
    for row in table.rows if table else []:
        values = {name: text(row.values.get(name)) for name in row.values}
        if values["key"] in stored:
            continue  # a sheet adds plans; it does not change them (the plan file does)
        problems = len(found.problems)
        if not _KEY.match(values["key"]):
            found.refuse(row, "key", "a plan key is lowercase letters, digits and '-'")
        if values["kind"] not in get_args(PlanKind):
            found.refuse(row, "kind", f"kind is one of: {', '.join(get_args(PlanKind))}")
        for name in ("title", "council", "body"):
            if not values[name]:
                found.refuse(row, name, f"a new plan needs its {name}")
        published = _cell(found, row, "published", as_date)
        if len(found.problems) == problems:
            found.new_plans.append(values | {"published": published})
            keys.add(values["key"])
    return keys


def _owner(found: SheetPlan, row: Row, posts: list[Post]) -> Post | str | None:
    written = text(row.values.get("owner post"))
    if not written:
        return None
    for post in posts:
        if written.lower() in (post.key, post.title.lower()):
            return post
    if written not in found.new_posts:
        found.new_posts.append(written)
    return written


def _read_row(found: SheetPlan, row: Row, posts: list[Post]) -> PlannedAction | None:
    values = {name: text(value) for name, value in row.values.items()}
    problems = len(found.problems)
    if not _REF.match(values["action"]):
        found.refuse(row, "action", f"{values['action']!r} is not an action ref (like 1.2)")
    if not values["title"]:
        found.refuse(row, "title", "the action needs a title")
    if not values["recommendation"]:
        found.refuse(row, "recommendation", "the action's recommendation number is missing")
    planned = PlannedAction(
        row=row,
        plan_key=values["plan"],
        ref=values["action"],
        title=values["title"],
        number=values["recommendation"],
        rec_text=values.get("recommendation text", ""),
        owner=_owner(found, row, posts) if row.has("owner post") else None,
        due=_cell(found, row, "due", as_date),
        status=_cell(found, row, "status", as_status),
        rag=_cell(found, row, "rag", as_rag),
        evidence=values.get("evidence") or None,
    )
    return planned if len(found.problems) == problems else None


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, Post):
        return value.title
    return value.isoformat() if isinstance(value, date) else str(value)


def _compare(found: SheetPlan, planned: PlannedAction, action: Action) -> None:
    """The changes a row makes to a stored action, or its problems."""
    row, changes = planned.row, planned.changes
    if planned.number != action.recommendation.number:
        found.refuse(
            row,
            "recommendation",
            f"action {action.ref} is under recommendation {action.recommendation.number}, "
            f"not {planned.number} (a sheet does not move actions)",
        )
    if planned.title != action.title:
        changes.append(Change("title", action.title, planned.title))
    if row.has("owner post") and planned.owner is not action.owner_post:
        changes.append(Change("owner", _shown(action.owner_post), _shown(planned.owner)))
    if row.has("due") and planned.due is None and action.due is not None:
        found.refuse(
            row,
            "due",
            f"blank, but {action.ref} is due {action.due.isoformat()} "
            "(a sheet cannot clear a due date)",
        )
    elif planned.due is not None and planned.due != action.due:
        changes.append(Change("due", _shown(action.due), _shown(planned.due)))
    _compare_status(found, planned, action)
    _refuse_signed_off(found, planned, action)


def _compare_status(found: SheetPlan, planned: PlannedAction, action: Action) -> None:
    """A changed status or RAG. The row is taken as it stands, so importing it twice changes
    nothing the second time: a RAG written is kept (complete is green); a blank one follows a
    changed status, as an update's does."""
    row = planned.row
    status = planned.status or action.status
    changed = status != action.status
    try:
        rag = settle_rag(status, planned.rag, status_changed=changed, current=action.rag)
    except RagConflictError as conflict:
        found.refuse(row, "rag", str(conflict))
        return
    if changed and status == ActionStatus.SIGNED_OFF:
        found.refuse(
            row,
            "status",
            f"sign-off is the board's: the secretary uses `/ofsted signoff {action.ref}`",
        )
    elif changed and status == ActionStatus.COMPLETE and not (planned.evidence or "").strip():
        found.refuse(
            row,
            "evidence",
            f"to mark {action.ref} complete, say what shows it is "
            "done in the evidence column (a link or a sentence)",
        )
    if changed:
        planned.changes.append(Change("status", action.status.value, status.value))
    if rag != action.rag:
        planned.changes.append(Change("rag", _shown(action.rag), _shown(rag)))


def _refuse_signed_off(found: SheetPlan, planned: PlannedAction, action: Action) -> None:
    """A signed-off action's due date, status and RAG are the board's: refused on the first."""
    if action.status != ActionStatus.SIGNED_OFF:
        return
    for change in planned.changes:
        if change.field in LOGGED:
            message = f"action {action.ref} is signed off by the board; an admin can reopen it"
            found.refuse(planned.row, change.field, message)
            return


def _check_new(found: SheetPlan, planned: PlannedAction, recs: set[str]) -> None:
    status = planned.status or ActionStatus.NOT_STARTED
    if planned.number not in recs and not planned.rec_text:
        found.refuse(
            planned.row,
            "recommendation text",
            f"recommendation {planned.number} is not in plan {planned.plan_key} yet: give its text",
        )
    if status == ActionStatus.SIGNED_OFF:
        found.refuse(
            planned.row,
            "status",
            "sign-off is the board's: add the action, then the secretary signs it off",
        )
    elif status in DONE and not planned.evidence:
        found.refuse(planned.row, "evidence", "a complete action needs its evidence")
    try:
        settle_rag(status, planned.rag)
    except RagConflictError as conflict:
        found.refuse(planned.row, "rag", str(conflict))


def plan_sheet_changes(session: Session, tables: dict[str, Table]) -> SheetPlan:
    """Read every row, match it and say what it changes; problems are collected, not raised."""
    found = SheetPlan()
    plans = {
        p.key: p
        for p in session.scalars(
            select(Plan).options(
                selectinload(Plan.recommendations)
                .selectinload(Recommendation.actions)
                .selectinload(Action.owner_post)
            )
        )
    }
    posts = list(session.scalars(select(Post).order_by(Post.key)))
    new_plans = _plans_sheet(found, tables.get(PLANS), set(plans))
    seen: dict[tuple[str, str], int] = {}
    new_recs: dict[str, set[str]] = {}  # recommendations a row of this sheet adds, by plan
    for row in tables[ACTIONS].rows:
        planned = _read_row(found, row, posts)
        if planned is None:
            continue
        key = (planned.plan_key, planned.ref)
        if key in seen:
            found.refuse(
                row, "action", f"{planned.ref} of {planned.plan_key} is on row {seen[key]} already"
            )
            continue
        seen[key] = row.number
        plan = plans.get(planned.plan_key)
        if plan is None and planned.plan_key not in new_plans:
            known = ", ".join(sorted(plans)) or "none yet"
            found.refuse(
                row,
                "plan",
                f"no plan {planned.plan_key!r} (plans: {known}); add it "
                "on the Plans sheet of the xlsx template",
            )
            continue
        recs = {r.number: r for r in plan.recommendations} if plan else {}
        actions = {a.ref: a for r in recs.values() for a in r.actions}
        planned.action = actions.get(planned.ref)
        if planned.action is None:
            _check_new(found, planned, set(recs) | new_recs.setdefault(planned.plan_key, set()))
            new_recs[planned.plan_key].add(planned.number)
        else:
            _compare(found, planned, planned.action)
        found.actions.append(planned)
    return found


def describe(found: SheetPlan) -> list[str]:
    """The changes, one line each: added, changed field by field, then how many unchanged."""
    lines = [f"added    plan {p['key']}: {p['title']} ({p['council']})" for p in found.new_plans]
    lines += [f"added    post {title}" for title in found.new_posts]
    for planned in found.added:
        extras = [f"recommendation {planned.number}"]
        if planned.owner is not None:
            extras.append(f"owner {_shown(planned.owner)}")
        if planned.due is not None:
            extras.append(f"due {planned.due.isoformat()}")
        extras.append((planned.status or ActionStatus.NOT_STARTED).value)
        lines.append(
            f"added    {planned.plan_key} {planned.ref}: {planned.title} ({', '.join(extras)})"
        )
    for planned in found.changed:
        for change in planned.changes:
            lines.append(
                f"changed  {planned.plan_key} {planned.ref} {change.field}: "
                f"{change.before} → {change.after}"
            )
    lines.append(f"unchanged: {len(found.unchanged)} actions")
    return lines
