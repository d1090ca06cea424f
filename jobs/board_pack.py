"""A board digest's pack as a PDF a chair would print: landscape A4, page numbers, the board
and the meeting on every page. First the summary (RAG totals, what to note, the chart), then
*Decisions for the board* (completions awaiting sign-off, due dates moved, escalations), the
exceptions (red, overdue, no update since the last meeting), and each recommendation with its
actions and latest updates.

Built with reportlab from the plain data of jobs/digest_model.py; touches no database. Text is
set in DejaVu Sans (the font matplotlib ships, so the pack needs no font of its own and prints
any name or symbol), wrapped to its column by measuring it (`simpleSplit`, then by characters
for a word too long for the column) and cut to a few lines where a printed page would be
swamped: the XLSX board paper has every word.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import escapePDF
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
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

from db.status import rag_key
from jobs.digest_model import RAG_COLOURS, RAG_KEYS, ActionLine, Change, Digest

LONDON = ZoneInfo("Europe/London")
PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
UNICODE, UNICODE_BOLD = "DejaVuSans", "DejaVuSans-Bold"
SIZE, LEADING, PAD = 7.5, 9.0, 2.5
CELL_LINES = 6  # lines of an update or a title in a cell; the XLSX has the rest
RAG_WORDS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "done": "Done",
    "unrated": "Not rated",
}

TINTS = {
    key: colors.Color(*(0.7 + 0.3 * part for part in colors.HexColor(value).rgb()))
    for key, value in RAG_COLOURS.items()
}  # fmt: skip (a RAG's colour, lightened)
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
if UNICODE not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(TTFont(UNICODE, str(_FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(UNICODE_BOLD, str(_FONTS / "DejaVuSans-Bold.ttf")))

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19, spaceAfter=2)
HEADING = ParagraphStyle("heading", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=8,
                         spaceAfter=4, keepWithNext=1)  # fmt: skip
SUB = ParagraphStyle("sub", fontName=BOLD, fontSize=9, leading=11.5, spaceBefore=6, spaceAfter=3,
                     keepWithNext=1)  # fmt: skip
NOTE = ParagraphStyle("note", fontName=FONT, fontSize=8.5, leading=11, spaceAfter=2)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _day(value: date | None) -> str:
    return f"{value:%-d %b %Y}" if value else "–"


def _uk(value: datetime | None) -> str:
    if value is None:
        return "–"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{aware.astimezone(LONDON):%-d %b %Y %H:%M}"


_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}  # words' widths: texts repeat words


def font_for(text: str, bold: bool = False) -> str:
    """Helvetica where it can print every character (fast: a PDF's own font), else DejaVu."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return UNICODE_BOLD if bold else UNICODE
    return BOLD if bold else FONT


def _broken(word: str, limit: float, font: str, size: float) -> list[str]:
    """A word too long for a line, in pieces that fit."""
    pieces: list[str] = []
    while word:
        cut = len(word)
        while cut > 1 and pdfmetrics.stringWidth(word[:cut], font, size) > limit:
            cut -= 1
        pieces.append(word[:cut])
        word = word[cut:]
    return pieces


def wrap(text: str, limit: float, font: str = FONT, size: float = SIZE) -> list[str]:
    """Lines of `text` (its spaces collapsed) that each fit `limit` points: greedy, by word."""
    words = text.split()
    if pdfmetrics.stringWidth(" ".join(words), font, size) <= limit:
        return [" ".join(words)]
    known = _WIDTHS.setdefault((font, size), {})
    if len(known) > 100_000:
        known.clear()
    lines: list[str] = []
    line: list[str] = []
    used, space = 0.0, pdfmetrics.stringWidth(" ", font, size)
    for word in words:
        width = known.get(word)
        if width is None:
            width = known[word] = pdfmetrics.stringWidth(word, font, size)
        if width > limit:
            pieces = _broken(word, limit, font, size)
            lines += [" ".join(line), *pieces[:-1]] if line else pieces[:-1]
            line, used = [pieces[-1]], pdfmetrics.stringWidth(pieces[-1], font, size)
        elif line and used + space + width > limit:
            lines.append(" ".join(line))
            line, used = [word], width
        else:
            used += width + (space if line else 0.0)
            line.append(word)
    lines.append(" ".join(line))
    return lines


def _cell(text: str | None, width: float, font: str, most: int = CELL_LINES) -> str:
    lines = wrap(text or "", width - 2 * PAD, font)
    if len(lines) > most:  # the last line kept ends "…", cut to fit with it
        last = lines[most - 1]
        while last and pdfmetrics.stringWidth(last + " …", font, SIZE) > width - 2 * PAD:
            last = last[:-1]
        lines = [*lines[: most - 1], last.rstrip() + " …"]
    return "\n".join(lines)


Column = tuple[str, float]  # header, share of the width


class _Table(Table):  # type: ignore[misc]
    """A Table that writes a cell in Helvetica as one text object of all its lines (reportlab
    starts one per line, which was most of a large pack's time); other cells as reportlab
    does."""

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:  # noqa: N802
        if not isinstance(cellval, str) or cellstyle.fontname not in (FONT, BOLD):
            super()._drawCell(cellval, cellstyle, pos, size)
            return
        canvas = self.canv
        x = pos[0] + cellstyle.leftPadding
        y = pos[1] + size[1] - cellstyle.topPadding - cellstyle.fontsize
        name = canvas._doc.getInternalFontName(cellstyle.fontname)
        lines = " Tj T* ".join(
            f"({escapePDF(line.encode('cp1252'))})" for line in cellval.split("\n")
        )
        font = f"{name} {cellstyle.fontsize} Tf {cellstyle.leading} TL"
        canvas._code.append(f"q 0 0 0 rg BT {font} 1 0 0 1 {x:.2f} {y:.2f} Tm {lines} Tj ET Q")


def _table(columns: Sequence[Column], rows: Sequence[Sequence[str | None]],
           rag_col: int | None = None, rags: Sequence[str | None] = (),
           width: float = WIDTH) -> Table:  # fmt: skip
    """A table `width` wide: headers repeated on each page, text wrapped to fit its column."""
    total = sum(share for _, share in columns)
    widths = [width * share / total for _, share in columns]
    body: list[list[str]] = []
    fonts: list[tuple[Any, ...]] = []  # DejaVu for a cell that Helvetica cannot print
    for r, row in enumerate([[header for header, _ in columns], *rows]):
        body.append([])
        for c, (value, w) in enumerate(zip(row, widths, strict=True)):
            font = font_for(value or "", bold=r == 0)
            if font not in (FONT, BOLD):
                fonts.append(("FONT", (c, r), (c, r), font, SIZE, LEADING))
            body[-1].append(_cell(value, w, font))
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, SIZE, LEADING),
        ("FONT", (0, 0), (-1, 0), BOLD, SIZE, LEADING),
        *fonts,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#b1b4b6")),
    ]
    if rag_col is not None:
        for at, key in enumerate(rags, 1):
            if key in TINTS:
                style.append(("BACKGROUND", (rag_col, at), (rag_col, at), TINTS[key]))
    table = _Table(body, colWidths=widths, repeatRows=1, style=TableStyle(style))
    table.hAlign = "LEFT"
    return table


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
    return _table(ACTIONS, _action_rows(lines), 5, [rag_key(a.status, a.rag) for a in lines])


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
    escalated = _change_rows(digest.escalations, actions, "escalation")
    if not (signoff or dates or escalated):
        out.append(Paragraph("Nothing awaits the board's decision.", NOTE))
    if signoff:
        out += [Paragraph("Completions awaiting sign-off", SUB), _actions(signoff)]
    for title, said, by, rows in (
        ("Due dates moved since the last meeting", "new due date and reason", "asked by", dates),
        ("Escalations", "reason", "escalated by", escalated),
    ):
        if rows:
            out += [Paragraph(title, SUB), _table(_decision_columns(said, by), rows)]
    return out


def _decision_columns(said: str, by: str) -> list[Column]:
    return [("action", 9), ("title", 22), ("owner", 17), ("RAG", 6), (said, 32), (by, 14)]


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
        Paragraph(_esc(f"{digest.board_name}: board pack for {_day(digest.meeting)}"), TITLE),
        Paragraph(
            _esc(
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
    left = _table([("RAG", 3), ("actions", 2)], rag, 0, [*RAG_KEYS, None], WIDTH * 0.3)
    right = _table([("to note", 4), ("count", 1)], notes, width=WIDTH * 0.42)
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
        head = Paragraph(_esc(f"{rec.plan_key} recommendation {rec.number}: {text}"), SUB)
        if not lines:
            out.append(KeepTogether([head, Paragraph("No actions yet.", NOTE)]))
            continue
        table = _actions(lines)
        out += [head, table]
    return out


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Writes "page N of M" and the board and meeting on every page, once M is known."""

    heading = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(colors.HexColor("#505a5f"))
            self.drawString(MARGIN, MARGIN / 2, self.heading)
            self.drawRightString(PAGE[0] - MARGIN, MARGIN / 2,
                                 f"page {self._pageNumber} of {len(self._pages)}")  # fmt: skip
            super().showPage()
        super().save()


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
    canvas = type("PackCanvas", (_NumberedCanvas,), {"heading": title})
    doc.build(story, canvasmaker=canvas)
    return out.getvalue()
