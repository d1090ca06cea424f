"""The board's channel canvas: the standing board pack in the channel's header (summary,
decisions for the board, exceptions), as canvas markdown, replaced each time the digest goes
out. The board pack (PDF) in the digest's thread has every recommendation and action; the
canvas lists the first `ITEMS` of each section and says how many more there are.

What people typed (titles, reasons, evidence) is written as text: markdown's marks are
escaped, so nothing in it becomes a heading, a link or a mention (a canvas mention notifies).
People are named, never mentioned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from commands.views.kit import RAG_EMOJI, day, weekday, when
from db.due_dates import DateRequestRow
from db.status import RAG_KEYS, rag_key
from jobs.digest_model import RAG_LEGEND, ActionLine, Change, Digest

ITEMS = 25  # lines of a section; the board pack has them all
_MARKS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~@:])")


def text(value: str | None) -> str:
    """Typed text as canvas markdown that shows it as typed: one line, marks escaped."""
    return _MARKS.sub(r"\\\1", " ".join((value or "").split()))


def _owner(a: ActionLine) -> str:
    return text(a.owner_name or a.owner_post or "no owner yet")


def _action(a: ActionLine, today: date) -> str:
    rag = rag_key(a.status, a.rag)
    line = f"{RAG_EMOJI[rag]} **{text(a.ref)}** {text(a.title)} — {_owner(a)}"
    if a.due is not None:
        late = (today - a.due).days
        line += f" · due {day(a.due)}" + (f" (overdue by {late} days)" if late > 0 else "")
    return line


def _section(title: str, lines: Sequence[str], empty: str | None = None) -> list[str]:
    if not lines:
        return [f"### {title}", empty] if empty else []
    shown = [f"- {line}" for line in lines[:ITEMS]]
    if len(lines) > ITEMS:
        shown.append(f"- and {len(lines) - ITEMS} more: see the board pack in the digest's thread")
    return [f"### {title} ({len(lines)})", *shown]


def _request(r: DateRequestRow) -> str:
    moved = f"from {day(r.due_from)} to {day(r.due_to)}"
    asked = f"(asked by {text(r.requested_by)})"
    return f"**{text(r.ref)}** {text(r.title)} — {moved}: {text(r.reason)} {asked}"


def _escalation(c: Change, actions: dict[tuple[str, str], ActionLine]) -> str:
    a = actions.get((c.plan_key, c.ref))
    who = (
        f" — {_owner(a)}, {RAG_EMOJI[rag_key(a.status, a.rag)]} {rag_key(a.status, a.rag)}"
        if a
        else ""
    )
    return f"**{text(c.ref)}** {text(c.title)}{who}: {text(c.escalation or c.text)}"


def _summary(digest: Digest, tz: ZoneInfo) -> list[str]:
    totals = digest.totals
    rows = [f"| {RAG_EMOJI[k]} {RAG_LEGEND[k]} | {totals.get(k, 0)} |" for k in RAG_KEYS]
    counts = [
        f"{len(digest.changes)} updates since the last meeting",
        f"{len(digest.overdue)} overdue",
        f"{len(digest.due_before_next)} due before the next meeting",
        f"{len(digest.chase)} with no update since the last meeting",
        f"{len(digest.escalations)} escalations",
        f"{len(digest.awaiting_signoff)} awaiting sign-off",
    ]
    return [
        f"Meeting **{weekday(digest.meeting)}** · plans: {text(', '.join(digest.plans))} · "
        f"from the digest of {when(digest.generated_at, tz)} (UK time)",
        "## Summary",
        "| RAG | actions |",
        "| --- | --- |",
        *rows,
        f"| total | {sum(totals.values())} |",
        "",
        " · ".join(counts),
    ]


def board_canvas(digest: Digest, tz: ZoneInfo, today: date) -> tuple[str, str]:
    """The canvas's title and markdown."""
    actions = {(a.plan_key, a.ref): a for a in digest.actions}
    red = [a for a in digest.actions if rag_key(a.status, a.rag) == "red"]
    overdue = sorted(digest.overdue, key=lambda a: a.due or today)
    signoff = [
        _action(a, today) + f" · evidence: {text(a.evidence)}" for a in digest.awaiting_signoff
    ]
    decisions = [
        *_section("Completions awaiting sign-off", signoff),
        *_section("New due dates asked for", [_request(r) for r in digest.date_requests]),
        *_section("Escalations", [_escalation(c, actions) for c in digest.escalations]),
    ]
    exceptions = [
        *_section("Red", [_action(a, today) for a in red]),
        *_section("Overdue", [_action(a, today) for a in overdue]),
        *_section("No update since the last meeting", [_action(a, today) for a in digest.chase]),
    ]
    markdown = [
        f"# {text(digest.board_name)}: the latest digest",
        *_summary(digest, tz),
        "## Decisions for the board",
        *(decisions or ["Nothing awaits the board's decision."]),
        "## Exceptions",
        *(exceptions or ["Nothing is red, overdue or without an update."]),
    ]
    return f"{digest.board_name}: board pack", "\n".join(markdown) + "\n"
