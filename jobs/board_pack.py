"""A board digest's pack as a PDF a chair would print: landscape A4, page numbers, the board and
the meeting on every page. First the summary (RAG totals, what to note, the chart), then
*Decisions for the board* (completions awaiting sign-off, new due dates asked for, due dates
moved, escalations), the exceptions (red, overdue, no update since the last meeting), and each
recommendation with its actions and latest updates.

Built with reportlab from the plain data of jobs/digest_model.py; touches no database. How the
pages are laid out and set (fonts, wrapped tables, page numbers) is jobs/pdf_layout.py.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from db.due_dates import DateRequestRow
from db.status import RAG_KEYS, rag_key
from jobs.digest_model import ActionLine, Change, Digest
from jobs.pdf_layout import (
    HEADING,
    MARGIN,
    NOTE,
    PAGE,
    SUB,
    TITLE,
    WIDTH,
    Column,
    NumberedCanvas,
    esc,
    table,
)

LONDON = ZoneInfo("Europe/London")
RAG_WORDS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "done": "Done",
    "unrated": "Not rated",
}


def _day(value: date | None) -> str:
    return f"{value:%-d %b %Y}" if value else "–"


def _uk(value: datetime | None) -> str:
    if value is None:
        return "–"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{aware.astimezone(LONDON):%-d %b %Y %H:%M}"


def _owner(a: ActionLine) -> str:
    who = a.owner_name or a.owner_user
    return f"{a.owner_post} ({who})" if who else f"{a.owner_post} (nobody yet)"


def _rag(status: str, rag: str | None) -> str:
    return RAG_WORDS[rag_key(status, rag)]


def _latest(a: ActionLine) -> str:
    if a.last_update_at is None:
        return "no update yet"
    return f"{_uk(a.last_update_at)}: {a.last_update_text or ''}"


ACTIONS: list[Column] = [("action", 9), ("title", 23), ("owner", 17), ("due", 8),
                         ("status", 8), ("RAG", 6), ("latest update", 30)]  # fmt: skip


def _action_rows(lines: Sequence[ActionLine]) -> list[list[str | None]]:
    return [[f"{a.plan_key} {a.ref}", a.title, _owner(a), _due(a), a.status,
             _rag(a.status, a.rag), _latest(a)] for a in lines]  # fmt: skip


def _due(a: ActionLine) -> str:
    moved = a.due_original and a.due_original != a.due
    return _day(a.due) + (f" (was {_day(a.due_original)})" if moved else "")


def _actions(lines: Sequence[ActionLine]) -> Table:
    return table(ACTIONS, _action_rows(lines), 5, [rag_key(a.status, a.rag) for a in lines])


def _change_rows(changes: Sequence[Change], actions: dict[tuple[str, str], ActionLine],
                 what: str) -> list[list[str | None]]:  # fmt: skip
    rows: list[list[str | None]] = []
    for c in changes:
        a = actions.get((c.plan_key, c.ref))
        said = c.escalation if what == "escalation" else f"due {_day(c.due_to)}: {c.text}"
        rows.append(
            [
                f"{c.plan_key} {c.ref}",
                c.title,
                _owner(a) if a else "–",
                _rag(a.status, a.rag) if a else "–",
                said,
                f"{c.author_name or c.author or '–'}, {_uk(c.at)}",
            ]
        )
    return rows  # fmt: skip


def _decisions(digest: Digest) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("Decisions for the board", HEADING)]
    actions = {(a.plan_key, a.ref): a for a in digest.actions}
    moved = [c for c in digest.changes if c.due_to is not None]
    signoff, dates = digest.awaiting_signoff, _change_rows(moved, actions, "due")
    asked = [_request_row(r, actions.get((r.plan_key, r.ref))) for r in digest.date_requests]
    escalated = _change_rows(digest.escalations, actions, "escalation")
    if not (signoff or asked or dates or escalated):
        out.append(Paragraph("Nothing awaits the board's decision.", NOTE))
    if signoff:
        out += [Paragraph("Completions awaiting sign-off", SUB), _actions(signoff)]
    for title, said, by, rows in (
        ("New due dates asked for, to approve or reject", "new due date and reason", "asked by",
         asked),
        ("Due dates moved since the last meeting", "new due date and reason", "by", dates),
        ("Escalations", "reason", "escalated by", escalated),
    ):  # fmt: skip
        if rows:
            columns = [("action", 9), ("title", 22), ("owner", 17), ("RAG", 6), (said, 32),
                       (by, 14)]  # fmt: skip
            out += [Paragraph(title, SUB), table(columns, rows)]
    return out


def _request_row(r: DateRequestRow, a: ActionLine | None) -> list[str | None]:
    said = f"{_day(r.due_from)} to {_day(r.due_to)}: {r.reason}"
    asked = f"{r.requested_by}, {_uk(r.requested_at)}"
    return [f"{r.plan_key} {r.ref}", r.title, _owner(a) if a else r.owner_post or "–",
            _rag(a.status, a.rag) if a else "–", said, asked]  # fmt: skip


def _exceptions(digest: Digest, today: date) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("Exceptions", HEADING)]
    red = [a for a in digest.actions if rag_key(a.status, a.rag) == "red"]
    overdue = sorted(digest.overdue, key=lambda a: a.due or today)
    parts = [
        ("Red", red),
        ("Overdue", overdue),
        ("No update since the last meeting", digest.chase),
    ]
    if not any(lines for _, lines in parts):
        out.append(Paragraph("Nothing is red, overdue or without an update.", NOTE))
    for title, lines in parts:
        if lines:
            out += [Paragraph(f"{title} ({len(lines)})", SUB), _actions(lines)]
    return out


def _summary(digest: Digest, chart_png: bytes | None) -> list[Flowable]:
    plans = ", ".join(digest.plans) or "none"
    out: list[Flowable] = [
        Paragraph(esc(f"{digest.board_name}: board pack for {_day(digest.meeting)}"), TITLE),
        Paragraph(
            esc(
                f"Plans: {plans} · previous meeting {_day(digest.previous_meeting)} · "
                f"next meeting {_day(digest.next_meeting)} · generated "
                f"{_uk(digest.generated_at)} UK time"
            ),
            NOTE,
        ),
    ]
    totals = digest.totals
    rag = [[RAG_WORDS[k], str(totals.get(k, 0))] for k in RAG_KEYS]
    rag.append(["total", str(sum(totals.values()))])
    notes = [
        ["updates since the last meeting", str(len(digest.changes))],
        ["overdue", str(len(digest.overdue))],
        ["due before the next meeting", str(len(digest.due_before_next))],
        ["no update since the last meeting", str(len(digest.chase))],
        ["escalations", str(len(digest.escalations))],
        ["awaiting sign-off", str(len(digest.awaiting_signoff))],
    ]
    left = table([("RAG", 3), ("actions", 2)], rag, 0, [*RAG_KEYS, None], WIDTH * 0.3)
    right = table([("to note", 4), ("count", 1)], notes, width=WIDTH * 0.42)
    pair = Table([[left, right]], colWidths=[WIDTH * 0.32, WIDTH * 0.68])
    pair.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    pair.hAlign = "LEFT"
    out += [Spacer(1, 4), pair]
    if chart_png:
        image = Image(io.BytesIO(chart_png), width=WIDTH * 0.86, height=WIDTH * 0.43)
        out += [Spacer(1, 6), image]
    return out


def _recommendations(digest: Digest) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("Recommendations and their actions", HEADING)]
    by_rec: dict[tuple[str, str], list[ActionLine]] = {}
    for a in digest.actions:
        by_rec.setdefault((a.plan_key, a.recommendation), []).append(a)
    for rec in digest.recommendations:
        lines = by_rec.get((rec.plan_key, rec.number), [])
        text = " ".join(rec.text.split())
        head = Paragraph(esc(f"{rec.plan_key} recommendation {rec.number}: {text}"), SUB)
        if not lines:
            out.append(KeepTogether([head, Paragraph("No actions yet.", NOTE)]))
            continue
        table = _actions(lines)
        out += [head, table]
    return out


def board_pack_pdf(digest: Digest, chart_png: bytes | None = None) -> bytes:
    """The board pack: summary and chart, decisions, exceptions, then each recommendation."""
    today = digest.generated_at.astimezone(LONDON).date()
    out = io.BytesIO()
    title = f"{digest.board_name}: board pack, meeting {_day(digest.meeting)}"
    doc = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=title,
                            author="ofsted-bot", invariant=True)  # fmt: skip
    story = [*_summary(digest, chart_png), *_decisions(digest), *_exceptions(digest, today)]
    story += _recommendations(digest)
    canvas = type("PackCanvas", (NumberedCanvas,), {"heading": title})
    doc.build(story, canvasmaker=canvas)
    return out.getvalue()
