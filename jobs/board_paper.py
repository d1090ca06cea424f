"""A board digest's paper as an XLSX workbook, written with XlsxWriter (several times faster than
openpyxl for thousands of rows): Summary, Recommendations (one row each, with RAG counts),
Actions (one sheet for every action, with filters), Updates since last meeting, Chase list,
Escalations. Styles are set once per column (and one per RAG colour), never per cell. User text
is always written as text, never as a formula (and keeps a quote prefix when it starts like
one). Touches no database.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from jobs.digest_model import RAG_COLOURS, RAG_KEYS, ActionLine, Change, Digest

LONDON = ZoneInfo("Europe/London")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CELL_MAX = 32_000  # Excel holds at most 32,767 characters in a cell
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # what XML 1.0 cannot hold
Value = str | int | date | datetime | None
Column = tuple[str, float, bool]  # header, width, wrap

ACTION_COLUMNS: list[Column] = [
    ("plan", 14, False), ("rec", 6, False),
    ("action", 9, False), ("title", 50, True), ("owner post", 24, True),
    ("owner", 22, True), ("due", 12, False), ("original due", 12, False),
    ("status", 14, False), ("RAG", 9, False), ("last update at", 17, False),
    ("last update", 60, True),
]  # fmt: skip
CHANGE_COLUMNS: list[Column] = [
    ("when", 17, False), ("plan", 14, False), ("action", 9, False), ("title", 40, True),
    ("who", 22, True), ("status", 24, False), ("RAG", 16, False), ("new due", 12, False),
    ("escalation", 30, True), ("text", 60, True),
]  # fmt: skip
REC_COLUMNS: list[Column] = [
    ("plan", 14, False), ("rec", 6, False), ("recommendation", 80, True),
    *((key, 9, False) for key in RAG_KEYS), ("total", 9, False),
]  # fmt: skip


def _excel_time(value: datetime) -> datetime:
    """Europe/London wall time without tzinfo (Excel has none); naive values are taken as UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(LONDON).replace(tzinfo=None)


def _light(colour: str) -> str:
    return "#" + "".join(f"{(int(colour[i : i + 2], 16) + 3 * 255) // 4:02X}" for i in (1, 3, 5))


class _Styles:
    """The workbook's formats, made once: by wrap and kind of value, by RAG colour."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.made: dict[tuple[Any, ...], Format] = {}

    def get(self, wrap: bool, kind: str = "", rag: str | None = None) -> Format:
        key = (wrap, kind, rag)
        if key not in self.made:
            props: dict[str, Any] = {"valign": "top", "text_wrap": wrap}
            if kind == "datetime":
                props["num_format"] = "d mmm yyyy hh:mm"
            elif kind == "date":
                props["num_format"] = "d mmm yyyy"
            elif kind == "quoted":
                props["quote_prefix"] = True
            elif kind == "bold":
                props["bold"] = True
            if rag in RAG_COLOURS:
                props |= {"pattern": 1, "bg_color": _light(RAG_COLOURS[rag])}
            self.made[key] = self.book.add_format(props)
        return self.made[key]


def _put(
    ws: Worksheet, styles: _Styles, row: int, col: int, value: Value, wrap: bool, rag: str | None
) -> None:
    if isinstance(value, datetime):
        ws.write_datetime(row, col, _excel_time(value), styles.get(wrap, "datetime", rag))
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, styles.get(wrap, "date", rag))
    elif isinstance(value, str):
        text = ILLEGAL.sub("", value)[:CELL_MAX]
        quoted = text.startswith(FORMULA_STARTS)  # text, and Excel keeps it text when edited
        ws.write_string(row, col, text, styles.get(wrap, "quoted" if quoted else "", rag))
    elif isinstance(value, int):
        ws.write_number(row, col, value, styles.get(wrap, "", rag))
    elif rag in RAG_COLOURS:
        ws.write_blank(row, col, None, styles.get(wrap, "", rag))


def _table(
    ws: Worksheet,
    styles: _Styles,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Value]],
    rag_cols: Sequence[int] = (),
    rag_of: Sequence[str | None] | None = None,
    top: int = 0,
    filters: bool = False,
) -> None:
    """A header row at `top` (0-based) and the rows below; `rag_cols` (0-based) get RAG fills,
    from the cell's own value or from `rag_of`."""
    for col, (header, width, wrap) in enumerate(columns):
        ws.set_column(col, col, width, styles.get(wrap))
        ws.write_string(top, col, header, styles.get(False, "bold"))
    wraps = [wrap for _, _, wrap in columns]
    last = top
    for last, values in enumerate(rows, top + 1):
        for col, value in enumerate(values):
            rag: Value = None
            if col in rag_cols:
                rag = rag_of[last - top - 1] if rag_of is not None else value
            _put(ws, styles, last, col, value, wraps[col], rag if isinstance(rag, str) else None)
    ws.freeze_panes(top + 1, 0)
    if filters:
        ws.autofilter(top, 0, max(last, top + 1), len(columns) - 1)


def _named(user: str | None, names: Mapping[str, str]) -> str | None:
    """A person by the name Slack shows (their member id when Slack does not know them)."""
    return names.get(user, user) if user else None


def _action_row(a: ActionLine, names: Mapping[str, str]) -> list[Value]:
    owner = _named(a.owner_user, names)
    return [a.plan_key, a.recommendation, a.ref, a.title, a.owner_post, owner, a.due,
            a.due_original, a.status, a.rag, a.last_update_at, a.last_update_text]  # fmt: skip


def _arrow(before: str | None, after: str | None) -> str:
    return "" if before is None and after is None else f"{before or '–'} → {after or '–'}"


def _change_row(c: Change, names: Mapping[str, str]) -> list[Value]:
    who = _named(c.author, names)
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
    for r, (label, value) in enumerate(facts):
        ws.write_string(r, 0, label, styles.get(False, "bold"))
        _put(ws, styles, r, 1, value, False, None)
    totals = digest.totals
    top = len(facts) + 1
    rag_rows: list[Sequence[Value]] = [[key, totals.get(key, 0)] for key in RAG_KEYS]
    rag_rows.append(["total", sum(totals.values())])
    _table(ws, styles, [("RAG", 24, False), ("actions", 28, False)], rag_rows, [0], top=top)
    counts: list[Sequence[Value]] = [
        ["updates since last meeting", len(digest.changes)],
        ["overdue", len(digest.overdue)],
        ["due before next meeting", len(digest.due_before_next)],
        ["chase list", len(digest.chase)],
        ["escalations", len(digest.escalations)],
        ["awaiting sign-off", len(digest.awaiting_signoff)],
    ]
    _table(ws, styles, [("to note", 24, False), ("count", 28, False)], counts, top=top + 8)
    ws.freeze_panes(0, 0)


def board_paper_xlsx(digest: Digest) -> bytes:
    """The board paper: Summary, Recommendations, Actions (with filters), updates since the
    last meeting, chase list, escalations."""
    out = io.BytesIO()
    book = Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    styles, names = _Styles(book), digest.names
    _summary(book.add_worksheet("Summary"), styles, digest)
    if digest.recommendations:
        recs: list[list[Value]] = [
            [r.plan_key, r.number, r.text, *(r.counts.get(k, 0) for k in RAG_KEYS), r.total]
            for r in digest.recommendations
        ]
        _table(book.add_worksheet("Recommendations"), styles, REC_COLUMNS, recs, filters=True)
    if digest.actions:
        ws = book.add_worksheet("Actions")
        rows = (_action_row(a, digest.names) for a in digest.actions)
        _table(ws, styles, ACTION_COLUMNS, rows, rag_cols=[9], filters=True)
    changes = book.add_worksheet("Updates since last meeting")
    _table(changes, styles, CHANGE_COLUMNS, [_change_row(c, names) for c in digest.changes], [6],
           [c.rag_to for c in digest.changes], filters=True)  # fmt: skip
    _table(book.add_worksheet("Chase list"), styles, ACTION_COLUMNS,
           [_action_row(a, names) for a in digest.chase], rag_cols=[9], filters=True)  # fmt: skip
    escalations = digest.escalations
    _table(book.add_worksheet("Escalations"), styles, CHANGE_COLUMNS,
           [_change_row(c, names) for c in escalations], [6],
           [c.rag_to for c in escalations])  # fmt: skip
    book.close()
    return out.getvalue()
