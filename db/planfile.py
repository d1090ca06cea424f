"""The YAML plan file format (plans/README.md): schema, parsing and validation.

Errors name the file, the line and what is wrong. Line numbers come from PyYAML's node marks;
the schema is pydantic, whose error locations are mapped back onto those marks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from db.plan_yaml import PlanYamlError, load_plan_yaml
from db.status import ActionStatus, Rag, RagConflictError, settle_rag

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
PlanKind = Literal[
    "inspection", "monitoring-visit", "commissioner-review", "peer-review", "service-review"
]
# `recommendation`: which recommendation the action is filed under; `plans`: which plans the
# board oversees; `number`: a recommendation's number when the source prints a list, not numbers
ILLUSTRATIVE_ACTION_FIELDS = {"title", "owner", "due", "status", "rag", "recommendation"}
ILLUSTRATIVE_BOARD_FIELDS = {"anchor", "channel", "secretary", "every_weeks", "plans"}
ILLUSTRATIVE_RECOMMENDATION_FIELDS = {"number", "theme", "area", "findings"}
_SPAN = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:to\s*(\d{4}-\d{2}-\d{2}))?\s*$")


def fields_among(known: set[str]) -> Callable[[list[str]], list[str]]:
    """A check that an `illustrative` list names only fields the entry has."""

    def check(value: list[str]) -> list[str]:
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"illustrative names unknown fields {sorted(unknown)}")
        return value

    return check


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Model):
    key: Key
    title: Text
    file: str | None = None
    published: date | None = None


class PostSpec(_Model):
    key: Key
    title: Text
    holder: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,}$")
    illustrative: bool = False


class JudgementSpec(_Model):
    area: Text
    grade: Text


class ThemeSpec(_Model):
    key: Key
    title: Text
    illustrative: bool = False  # the source does not print this theme


class ActionSpec(_Model):
    ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)+$")]
    title: Text
    owner: Key | None = None
    due: date | None = None
    original_due: date | None = None
    status: ActionStatus = ActionStatus.NOT_STARTED
    rag: Rag | None = None
    evidence: str | None = None
    source: str | None = None
    illustrative: Annotated[list[str], AfterValidator(fields_among(ILLUSTRATIVE_ACTION_FIELDS))] = (
        Field(default_factory=list)
    )


def file_rag(action: ActionSpec) -> tuple[Rag | None, str | None]:
    """The RAG an action is stored with, by the one rule (db.status.settle_rag): a RAG the file
    gives is kept, a blank one follows the status; complete and signed off are green. A file
    that contradicts the rule (complete, amber) is normalised, with a warning to show."""
    try:
        return settle_rag(action.status, action.rag), None
    except RagConflictError:
        rag = action.rag.value if action.rag else ""
        return Rag.GREEN, (
            f"status {action.status.value} with RAG {rag}: stored as green "
            f"({action.status.value} is green)"
        )


class RecommendationSpec(_Model):
    number: Annotated[str, StringConstraints(pattern=r"^([0-9]{1,3}|[A-Za-z])$")]
    text: Text
    theme: Key | None = None
    area: str | None = None
    paragraphs: list[str] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)
    response: str | None = None
    number_printed: bool = True  # false: the report prints a bullet; the number is its position
    framework: str | None = None  # e.g. "outcome 3, national framework", as printed
    actions: list[ActionSpec] = Field(default_factory=list)
    illustrative: Annotated[
        list[str], AfterValidator(fields_among(ILLUSTRATIVE_RECOMMENDATION_FIELDS))
    ] = Field(default_factory=list)

    @field_validator("number", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("paragraphs", "findings", mode="before")
    @classmethod
    def _refs_as_text(cls, value: object) -> object:
        return [str(v) for v in value] if isinstance(value, list) else value


class PlanSpec(_Model):
    key: Key
    title: Text
    kind: PlanKind
    body: Text
    inspected: str | None = None
    lead_inspector: str | None = None
    published: date | None = None
    received: date | None = None  # the report received, if not on the day it was published
    submitted: date | None = None  # the written action plan sent to Ofsted
    current: bool = False
    source: Key | None = None
    overall: str | None = None
    judgements: list[JudgementSpec] = Field(default_factory=list)
    themes: list[ThemeSpec] = Field(default_factory=list)
    recommendations: list[RecommendationSpec] = Field(default_factory=list)

    @field_validator("inspected", mode="before")
    @classmethod
    def _span(cls, value: object) -> object:
        if isinstance(value, date):
            return value.isoformat()
        if value is not None and not _SPAN.match(str(value)):
            raise ValueError("inspected must be 'YYYY-MM-DD' or 'YYYY-MM-DD to YYYY-MM-DD'")
        return value

    @property
    def inspected_span(self) -> tuple[date | None, date | None]:
        match = _SPAN.match(self.inspected or "")
        if not match:
            return None, None
        start = date.fromisoformat(match[1])
        return start, date.fromisoformat(match[2]) if match[2] else start


class BoardSpec(_Model):
    key: Key
    name: Text
    every_weeks: int = Field(ge=1, le=52)
    anchor: date
    channel: str | None = None
    secretary: Key | None = None
    plans: list[Key] = Field(default_factory=list)
    nudge_days: int = Field(default=7, ge=0, le=60)
    second_nudge_days: int = Field(default=3, ge=0, le=60)
    digest_days: int = Field(default=2, ge=0, le=60)
    send_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    illustrative: Annotated[list[str], AfterValidator(fields_among(ILLUSTRATIVE_BOARD_FIELDS))] = (
        Field(default_factory=list)
    )


class PlanFile(_Model):
    council: Text
    sources: list[SourceSpec] = Field(default_factory=list)
    posts: list[PostSpec] = Field(default_factory=list)
    plans: list[PlanSpec] = Field(min_length=1)
    boards: list[BoardSpec] = Field(default_factory=list)


def rag_warnings(spec: PlanFile) -> list[str]:
    """Where the file's status and RAG contradict each other, and what is stored instead."""
    found = []
    for plan in spec.plans:
        for rec in plan.recommendations:
            for action in rec.actions:
                warning = file_rag(action)[1]
                if warning:
                    found.append(f"{plan.key} {action.ref}: {warning}")
    return found


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str


class PlanFileError(Exception):
    """A plan file that cannot be imported; nothing was written."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.path}:{p.line or 1}: {p.message}" for p in self.problems]


Loc = tuple[str | int, ...]


def _marks(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*loc, key)] = key_node.start_mark.line + 1
            _marks(value_node, (*loc, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _marks(item, (*loc, index), out)


def _line_for(loc: Loc, marks: dict[Loc, int]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return None


def _where(loc: Loc) -> str:
    return ".".join(str(part) for part in loc if not isinstance(part, int)) or "file"


def parse_plan_file(path: str | Path, text: str | None = None) -> PlanFile:
    """Read and validate a plan file, or raise PlanFileError listing every problem found."""
    name = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PlanFileError(name, [Problem(None, f"cannot read the file ({exc})")]) from None
    try:
        node, data = load_plan_yaml(text)
    except PlanYamlError as exc:
        raise PlanFileError(name, [Problem(exc.line, exc.message)]) from None
    marks: dict[Loc, int] = {}
    if node is not None:
        _marks(node, (), marks)
    if not isinstance(data, dict):
        raise PlanFileError(name, [Problem(1, "expected a mapping with council, posts, plans")])
    try:
        spec = PlanFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(
                _line_for(tuple(err["loc"]), marks),
                f"{_where(tuple(err['loc']))}: {err['msg'].removeprefix('Value error, ')}",
            )
            for err in exc.errors()
        ]
        raise PlanFileError(name, problems) from None
    problems = [Problem(_line_for(loc, marks), msg) for loc, msg in _cross_check(spec)]
    if problems:
        raise PlanFileError(name, problems)
    return spec


def _duplicates(values: list[str]) -> set[str]:
    return {value for value, count in Counter(values).items() if count > 1}


def _check_plan(
    at: Loc, plan: PlanSpec, posts: set[str], sources: set[str]
) -> list[tuple[Loc, str]]:
    """One plan's rules: its source, recommendation numbers, themes, action refs and owners."""
    found: list[tuple[Loc, str]] = []
    themes = {t.key for t in plan.themes}
    if plan.source and plan.source not in sources:
        found.append(((*at, "source"), f"plan {plan.key}: unknown source {plan.source!r}"))
    numbers = [r.number for r in plan.recommendations]
    refs: list[str] = []
    for ri, rec in enumerate(plan.recommendations):
        rat: Loc = (*at, "recommendations", ri)
        if rec.number in _duplicates(numbers) and numbers.index(rec.number) != ri:
            found.append(
                (
                    (*rat, "number"),
                    f"plan {plan.key}: duplicate recommendation number {rec.number!r}",
                )
            )
        if rec.theme and rec.theme not in themes:
            found.append(((*rat, "theme"), f"plan {plan.key}: unknown theme {rec.theme!r}"))
        for ai, action in enumerate(rec.actions):
            aat: Loc = (*rat, "actions", ai)
            if action.ref in refs:
                found.append(
                    ((*aat, "ref"), f"plan {plan.key}: duplicate action ref {action.ref!r}")
                )
            refs.append(action.ref)
            if action.owner and action.owner not in posts:
                found.append(
                    (
                        (*aat, "owner"),
                        f"action {action.ref}: unknown post {action.owner!r} (add it under posts)",
                    )
                )
            if action.original_due and not action.due:
                found.append(
                    ((*aat, "original_due"), f"action {action.ref}: original_due without due")
                )
    return found


def _cross_check(spec: PlanFile) -> list[tuple[Loc, str]]:
    """Rules across entries: unique keys and numbers, references that resolve."""
    found: list[tuple[Loc, str]] = []
    posts = {p.key for p in spec.posts}
    sources = {s.key for s in spec.sources}
    plans = {p.key for p in spec.plans}
    for label, items in (
        ("post", spec.posts),
        ("source", spec.sources),
        ("plan", spec.plans),
        ("board", spec.boards),
    ):
        for dup in _duplicates([i.key for i in items]):
            index = [i.key for i in items].index(dup)
            found.append(((f"{label}s", index, "key"), f"duplicate {label} key {dup!r}"))
    if sum(p.current for p in spec.plans) > 1:
        found.append((("plans",), "more than one plan is marked current"))
    for pi, plan in enumerate(spec.plans):
        found += _check_plan(("plans", pi), plan, posts, sources)
    for bi, board in enumerate(spec.boards):
        bat: Loc = ("boards", bi)
        if board.secretary and board.secretary not in posts:
            found.append(
                ((*bat, "secretary"), f"board {board.key}: unknown post {board.secretary!r}")
            )
        for ki, key in enumerate(board.plans):
            if key not in plans:
                found.append(((*bat, "plans", ki), f"board {board.key}: unknown plan {key!r}"))
    return found
