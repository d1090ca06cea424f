"""What a board's digest holds: plain data, built by jobs/digest.py from the database and
rendered as Slack messages (commands/views/digest.py), a PNG chart and an XLSX board paper
(jobs/digest_files.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from db.due_dates import DateRequestRow
from db.status import RAG_KEYS

RAG_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c", "done": "#1d70b8",
               "unrated": "#b1b4b6"}  # fmt: skip
# what each RAG key is called in the chart's legend: the words of the digest's key in Slack
RAG_LEGEND = {"red": "red: off track", "amber": "amber: at risk", "green": "green: on track",
              "done": "done: complete or signed off", "unrated": "not rated"}  # fmt: skip


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
    owner_name: str | None = None  # the name of who holds (or covers) the post, where known
    evidence: str | None = None  # logged when it was completed: sign-off needs it


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
    author_name: str | None = None  # the name Slack shows for the author, where known


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
    date_requests: list[DateRequestRow] = field(default_factory=list)  # for the board to decide
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def people(self) -> set[str]:
        """The member ids it names: owners and authors of updates."""
        owners = {a.owner_user for a in self.actions if a.owner_user}
        return owners | {c.author for c in self.changes + self.escalations if c.author}

    def named(self, names: Mapping[str, str]) -> Digest:
        """The digest with the names Slack shows (jobs/people.py) as its owners' and authors'
        names; where Slack gave none, the name the database has stays."""

        def line(x: ActionLine) -> ActionLine:
            name = names.get(x.owner_user or "")
            return replace(x, owner_name=name) if name else x

        def change(c: Change) -> Change:
            name = names.get(c.author or "")
            return replace(c, author_name=name) if name else c

        return replace(
            self,
            actions=[line(x) for x in self.actions],
            overdue=[line(x) for x in self.overdue],
            due_before_next=[line(x) for x in self.due_before_next],
            chase=[line(x) for x in self.chase],
            awaiting_signoff=[line(x) for x in self.awaiting_signoff],
            changes=[change(c) for c in self.changes],
            escalations=[change(c) for c in self.escalations],
        )

    @property
    def totals(self) -> dict[str, int]:
        found = dict.fromkeys(RAG_KEYS, 0)
        for rec in self.recommendations:
            for key, count in rec.counts.items():
                found[key] = found.get(key, 0) + count
        return found
