"""What a board's digest holds: plain data, built by jobs/digest.py from the database and
rendered as Slack messages (commands/views/digest.py), a PNG chart and an XLSX board paper
(jobs/digest_files.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from db.status import RAG_KEYS as RAG_KEYS

RAG_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c", "done": "#1d70b8",
               "unrated": "#b1b4b6"}  # fmt: skip


@dataclass(frozen=True)
class RecommendationRag:
    """RAG counts of one recommendation's actions (keys from RAG_KEYS; done = complete or
    signed off, whatever its RAG)."""

    plan_key: str
    number: str
    text: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ActionLine:
    action_id: int
    plan_key: str
    recommendation: str
    ref: str
    title: str
    owner_post: str
    owner_user: str | None  # Slack user id of who holds (or covers) the post
    due: date | None
    due_original: date | None
    status: str
    rag: str | None
    last_update_at: datetime | None
    last_update_text: str | None


@dataclass(frozen=True)
class Change:
    """An update since the previous meeting."""

    plan_key: str
    ref: str
    title: str
    at: datetime
    author: str | None
    text: str
    status_from: str | None
    status_to: str | None
    rag_from: str | None
    rag_to: str | None
    escalation: str | None = None
    due_to: date | None = None


@dataclass(frozen=True)
class TrendPoint:
    """RAG totals of the board's actions as they stood on a meeting date."""

    meeting: date
    counts: dict[str, int]


@dataclass(frozen=True)
class Digest:
    board_key: str
    board_name: str
    meeting: date
    previous_meeting: date | None
    next_meeting: date | None
    generated_at: datetime
    plans: list[str]
    recommendations: list[RecommendationRag] = field(default_factory=list)
    actions: list[ActionLine] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    overdue: list[ActionLine] = field(default_factory=list)
    due_before_next: list[ActionLine] = field(default_factory=list)
    chase: list[ActionLine] = field(default_factory=list)
    escalations: list[Change] = field(default_factory=list)
    awaiting_signoff: list[ActionLine] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # member id -> name (jobs/people.py)

    @property
    def people(self) -> set[str]:
        """The member ids it names: owners and authors of updates."""
        owners = {a.owner_user for a in self.actions if a.owner_user}
        return owners | {c.author for c in self.changes if c.author}

    @property
    def totals(self) -> dict[str, int]:
        found = dict.fromkeys(RAG_KEYS, 0)
        for rec in self.recommendations:
            for key, count in rec.counts.items():
                found[key] = found.get(key, 0) + count
        return found
