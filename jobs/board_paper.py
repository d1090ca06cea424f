"""A board digest's paper as an XLSX workbook, written with XlsxWriter (several times faster than
openpyxl for thousands of rows): Summary, Recommendations (one row each, with RAG counts),
Actions (one sheet for every action, with filters), Updates since last meeting, Chase list,
Escalations. Styles are set once per column (and one per RAG colour), never per cell. User text
is always written as text, never as a formula (and keeps a quote prefix when it starts like
one); evidence that holds a link is a link. Touches no database.

Every sheet prints: landscape A4, one page wide, its header row on every page, the board, the
meeting and "page N of M" in the page header and footer. Rows are as tall as their wrapped text:
a spreadsheet does not grow a row for text it did not type itself, so without a height the
lines of a long title print over the rows below.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from db.status import DONE, RAG_KEYS
from jobs.digest_model import RAG_COLOURS, ActionLine, Change, Digest

LONDON = ZoneInfo("Europe/London")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CELL_MAX = 32_000  # Excel holds at most 32,767 characters in a cell
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # what XML 1.0 cannot hold
URL = re.compile(r"https?://[^\s<>\"|)]+")
URL_MAX = 2079  # the longest link Excel keeps
LINE = 15.0  # points a line of the default 11-point font takes in a row
MOST_LINES = 27  # Excel's rows stop at 409 points
Value = str | int | date | datetime | None


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in characters of the default font
    wrap: bool = False
    rag: bool = False  # filled with the RAG's colour
    link: bool = False  # a link in the text is written as a link


ACTION_COLUMNS = [
    Column("plan", 12), Column("rec", 5), Column("action", 7), Column("title", 40, True),
    Column("owner post", 22, True), Column("owner", 18, True), Column("due", 11),
    Column("original due", 11), Column("days overdue", 8), Column("status", 12, True),
    Column("RAG", 8, rag=True), Column("last update at", 15), Column("last update", 50, True),
    Column("evidence", 30, True, link=True),
]  # fmt: skip
CHANGE_COLUMNS = [
    Column("when", 15), Column("plan", 12), Column("action", 7), Column("title", 36, True),
    Column("who", 16, True), Column("status", 22, True), Column("RAG", 14, rag=True),
    Column("new due", 11), Column("escalation", 30, True), Column("text", 50, True),
]  # fmt: skip
REC_COLUMNS = [
    Column("plan", 12), Column("rec", 5), Column("recommendation", 90, True),
    *(Column(key, 8) for key in RAG_KEYS), Column("total", 8),
]  # fmt: skip


def _excel_time(value: datetime) -> datetime:
    """Europe/London wall time without tzinfo (Excel has none); naive values are taken as UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(LONDON).replace(tzinfo=None)


def _light(colour: str) -> str:
    return "#" + "".join(f"{(int(colour[i : i + 2], 16) + 3 * 255) // 4:02X}" for i in (1, 3, 5))


KINDS: dict[str, dict[str, Any]] = {
    "datetime": {"num_format": "d mmm yyyy hh:mm"},
    "date": {"num_format": "d mmm yyyy"},
    "quoted": {"quote_prefix": True},
    "bold": {"bold": True, "bg_color": "#E8E8E8", "pattern": 1},
    "label": {"bold": True},
    "link": {"font_color": "#1D70B8", "underline": 1},
}


class _Styles:
    """The workbook's formats, made once: by wrap and kind of value, by RAG colour."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.made: dict[tuple[Any, ...], Format] = {}

    def get(self, wrap: bool, kind: str = "", rag: str | None = None) -> Format:
        key = (wrap, kind, rag)
        if key not in self.made:
            props: dict[str, Any] = {"valign": "top", "text_wrap": wrap}
            props |= KINDS.get(kind, {})
            if rag in RAG_COLOURS:
                props |= {"pattern": 1, "bg_color": _light(RAG_COLOURS[rag])}
            self.made[key] = self.book.add_format(props)
        return self.made[key]


def _put(ws: Worksheet, styles: _Styles, at: tuple[int, int], value: Value, column: Column,
         rag: str | None) -> None:  # fmt: skip
    row, col = at
    wrap = column.wrap
    if isinstance(value, datetime):
        ws.write_datetime(row, col, _excel_time(value), styles.get(wrap, "datetime", rag))
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, styles.get(wrap, "date", rag))
    elif isinstance(value, str):
        text = ILLEGAL.sub("", value)[:CELL_MAX]
        link = URL.search(text) if column.link else None
        if link and len(link.group()) <= URL_MAX:
            ws.write_url(row, col, link.group(), styles.get(wrap, "link", rag), text, text)
            return
        quoted = text.startswith(FORMULA_STARTS)  # text, and Excel keeps it text when edited
        ws.write_string(row, col, text, styles.get(wrap, "quoted" if quoted else "", rag))
    elif isinstance(value, int):
        ws.write_number(row, col, value, styles.get(wrap, "", rag))
    elif rag in RAG_COLOURS:
        ws.write_blank(row, col, None, styles.get(wrap, "", rag))


def lines_in(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide, by words as a
    spreadsheet wraps them (about 1.15 letters to a unit of width: the default font is narrower
    than its digit 0, which the width counts)."""
    per_line = max(1, int(width * 1.15) - 1)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            need = used + 1 + len(word) if used else len(word)
            if used and need > per_line:
                lines, need = lines + 1, len(word)
            while need > per_line:  # a word longer than the line breaks over several
                lines, need = lines + 1, need - per_line
            used = need
        total += lines
    return total


def _height(values: Sequence[Value], columns: Sequence[Column]) -> float | None:
    tallest = max(
        (lines_in(v, c.width) for v, c in zip(values, columns, strict=False)
         if c.wrap and isinstance(v, str)),
        default=1,
    )  # fmt: skip
    return LINE * min(tallest, MOST_LINES) + 2 if tallest > 1 else None


def _table(ws: Worksheet, styles: _Styles, columns: Sequence[Column],
           rows: Iterable[Sequence[Value]], rag_of: Sequence[str | None] | None = None,
           top: int = 0, filters: bool = False) -> None:  # fmt: skip
    """A header row at `top` (0-based), repeated on every printed page, and the rows below; RAG
    columns are filled from the cell's own value or from `rag_of`."""
    for col, column in enumerate(columns):
        ws.set_column(col, col, column.width, styles.get(column.wrap))
        ws.write_string(top, col, column.header, styles.get(True, "bold"))
    ws.set_row(top, LINE * max(lines_in(c.header, c.width) for c in columns) + 2)
    last = top
    for last, values in enumerate(rows, top + 1):
        for col, (value, column) in enumerate(zip(values, columns, strict=True)):
            rag: Value = None
            if column.rag:
                rag = rag_of[last - top - 1] if rag_of is not None else value
            _put(ws, styles, (last, col), value, column, rag if isinstance(rag, str) else None)
        height = _height(values, columns)
        if height:
            ws.set_row(last, height)
    ws.freeze_panes(top + 1, 0)
    ws.repeat_rows(top)
    if filters:
        ws.autofilter(top, 0, max(last, top + 1), len(columns) - 1)


def _days_overdue(a: ActionLine, today: date) -> int | None:
    late = a.due is not None and a.due < today and a.status not in DONE
    return (today - a.due).days if late and a.due is not None else None


def _action_rows(lines: Iterable[ActionLine], today: date) -> Iterable[list[Value]]:
    for a in lines:
        owner = a.owner_name or a.owner_user or "nobody yet"
        yield [a.plan_key, a.recommendation, a.ref, a.title, a.owner_post, owner, a.due,
               a.due_original, _days_overdue(a, today), a.status, a.rag, a.last_update_at,
               a.last_update_text, a.evidence]  # fmt: skip


def _arrow(before: str | None, after: str | None) -> str:
    return "" if before is None and after is None else f"{before or '–'} → {after or '–'}"


def _change_row(c: Change) -> list[Value]:
    who = c.author_name or c.author  # the name Slack shows, else the member id
    return [c.at, c.plan_key, c.ref, c.title, who, _arrow(c.status_from, c.status_to),
            _arrow(c.rag_from, c.rag_to), c.due_to, c.escalation, c.text]  # fmt: skip


def _summary(ws: Worksheet, styles: _Styles, digest: Digest) -> None:
    facts: list[tuple[str, Value]] = [
        ("Board", digest.board_name),
        ("Plans", ", ".join(digest.plans)),
        ("Meeting", digest.meeting),
        ("Previous meeting", digest.previous_meeting),
        ("Next meeting", digest.next_meeting),
        ("Generated at (UK time)", digest.generated_at),
    ]
    label, wide = Column("", 24), Column("", 28, wrap=True)
    for r, (name, value) in enumerate(facts):
        ws.write_string(r, 0, name, styles.get(False, "label"))
        _put(ws, styles, (r, 1), value, wide, None)
    totals = digest.totals
    top = len(facts) + 1
    rag_rows: list[Sequence[Value]] = [[key, totals.get(key, 0)] for key in RAG_KEYS]
    rag_rows.append(["total", sum(totals.values())])
    rag_label = Column("RAG", 24, rag=True)
    _table(ws, styles, [rag_label, Column("actions", 28)], rag_rows, top=top)
    counts: list[Sequence[Value]] = [
        ["updates since last meeting", len(digest.changes)],
        ["overdue", len(digest.overdue)],
        ["due before next meeting", len(digest.due_before_next)],
        ["chase list", len(digest.chase)],
        ["escalations", len(digest.escalations)],
        ["awaiting sign-off", len(digest.awaiting_signoff)],
    ]
    _table(ws, styles, [label, Column("count", 28)], counts, top=top + 8)
    ws.set_column(1, 1, wide.width, styles.get(True))
    ws.freeze_panes(0, 0)
    ws.repeat_rows(0, 0)


def _page_setup(ws: Worksheet, digest: Digest) -> None:
    """Landscape A4, one page wide, the board and meeting above and the page number below."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    board = digest.board_name.replace("&", "&&")[:120]
    ws.set_header(f"&L&B{board}&R{ws.get_name().replace('&', '&&')}", {"margin": 0.3})
    ws.set_footer(f"&Lmeeting {digest.meeting:%-d %b %Y}&Rpage &P of &N", {"margin": 0.3})


def board_paper_xlsx(digest: Digest) -> bytes:
    """The board paper: Summary, Recommendations, Actions (with filters), updates since the
    last meeting, chase list, escalations."""
    today = digest.generated_at.astimezone(LONDON).date()
    out = io.BytesIO()
    book = Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    styles = _Styles(book)
    _summary(book.add_worksheet("Summary"), styles, digest)
    if digest.recommendations:
        recs: list[list[Value]] = [
            [r.plan_key, r.number, r.text, *(r.counts.get(k, 0) for k in RAG_KEYS), r.total]
            for r in digest.recommendations
        ]
        _table(book.add_worksheet("Recommendations"), styles, REC_COLUMNS, recs, filters=True)
    if digest.actions:
        rows = _action_rows(digest.actions, today)
        _table(book.add_worksheet("Actions"), styles, ACTION_COLUMNS, rows, filters=True)
    changes = book.add_worksheet("Updates since last meeting")
    _table(changes, styles, CHANGE_COLUMNS, map(_change_row, digest.changes),
           [c.rag_to for c in digest.changes], filters=True)  # fmt: skip
    _table(book.add_worksheet("Chase list"), styles, ACTION_COLUMNS,
           _action_rows(digest.chase, today), filters=True)  # fmt: skip
    escalations = digest.escalations
    _table(book.add_worksheet("Escalations"), styles, CHANGE_COLUMNS,
           map(_change_row, escalations), [c.rag_to for c in escalations])  # fmt: skip
    for ws in book.worksheets():
        _page_setup(ws, digest)
    book.close()
    return out.getvalue()
