"""A board digest as files for Slack: a RAG chart (PNG) and a board paper (XLSX).

Both are built from the plain data of jobs/digest_model.py and touch no database. The chart
uses matplotlib's object API (Figure + Agg canvas, never pyplot), so it is safe in threads.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jobs.digest_model import RAG_KEYS, ActionLine, Change, Digest, RecommendationRag

LONDON = ZoneInfo("Europe/London")
RAG_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c", "done": "#1d70b8",
               "unrated": "#b1b4b6"}  # fmt: skip
MAX_BARS = 40
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CELL_MAX = 32_000  # Excel holds at most 32,767 characters in a cell
BAD_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))
FIXED_SHEETS = ("Summary", "Updates since last meeting", "Chase list", "Escalations")

TOP, WRAP = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
BOLD = Font(bold=True)
Value = str | int | date | datetime | None
Column = tuple[str, float, bool]  # header, width, wrap


def _label(rec: RecommendationRag, with_text: bool) -> str:
    label = f"{rec.plan_key} rec {rec.number}"[:28]
    if with_text and rec.text.strip():
        label += "\n" + textwrap.shorten(rec.text, 40, placeholder="…")
    return label


def _bars(ax: Axes, recs: list[RecommendationRag]) -> None:
    if not recs:
        ax.text(0.5, 0.5, "No recommendations yet", ha="center", va="center", fontsize=12)
        ax.set_axis_off()
        return
    rows = list(range(len(recs)))
    left = [0] * len(recs)
    for key in RAG_KEYS:
        widths = [rec.counts.get(key, 0) for rec in recs]
        ax.barh(rows, widths, left=left, color=RAG_COLOURS[key], label=key, height=0.75)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(rows, [_label(rec, len(recs) <= 12) for rec in recs])
    ax.tick_params(axis="y", labelsize=8 if len(recs) <= 20 else 6)
    ax.invert_yaxis()
    ax.set_xlabel("actions")
    ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    ax.legend(loc="lower right", fontsize=8, ncols=len(RAG_KEYS), bbox_to_anchor=(1, 1.0))


def _trend(ax: Axes, digest: Digest) -> None:
    ax.set_title("RAG over meetings", fontsize=11)
    points = sorted(digest.trend, key=lambda point: point.meeting)
    if len(points) < 2:
        ax.text(0.5, 0.5, "The trend starts after the next meeting", ha="center", va="center")
        ax.set_axis_off()
        return
    xs = [float(point.meeting.toordinal()) for point in points]
    series = [[point.counts.get(key, 0) for point in points] for key in RAG_KEYS]
    ax.stackplot(xs, *series, colors=[RAG_COLOURS[key] for key in RAG_KEYS], labels=RAG_KEYS)
    step = max(1, -(-len(xs) // 8))
    ax.set_xticks(
        xs[::step], [f"{p.meeting:%-d %b %Y}" for p in points[::step]], rotation=30, ha="right"
    )
    ax.set_ylabel("actions")
    ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    ax.legend(loc="upper left", fontsize=8)


def rag_chart_png(digest: Digest) -> bytes:
    """Recommendations as stacked RAG bars (left) and the board's RAG trend (right)."""
    recs = list(digest.recommendations)
    subtitle = f"{len(recs)} recommendation{'' if len(recs) == 1 else 's'}"
    if len(recs) > MAX_BARS:
        badness = [-rec.counts.get("red", 0) - rec.counts.get("amber", 0) for rec in recs]
        worst = sorted(range(len(recs)), key=badness.__getitem__)[:MAX_BARS]
        recs = [recs[i] for i in sorted(worst)]  # the worst, in the digest's own order
        subtitle = f"The {MAX_BARS} of {len(digest.recommendations)} recommendations"
        subtitle += " with the most red and amber actions"
    fig = Figure(figsize=(14, 7), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    fig.suptitle(f"{digest.board_name} – meeting {digest.meeting:%-d %b %Y}", fontsize=14)
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    left.set_title(subtitle, fontsize=10, loc="left", pad=24)
    _bars(left, recs)
    _trend(right, digest)
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _excel_time(value: datetime) -> datetime:
    """Europe/London wall time without tzinfo (Excel has none); naive values are taken as UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(LONDON).replace(tzinfo=None)


def _put(ws: Worksheet, row: int, col: int, value: Value, wrap: bool = False) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, datetime):
        cell.value = _excel_time(value)
        cell.number_format = "d mmm yyyy hh:mm"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "d mmm yyyy"
    elif isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_MAX]
        cell.value = text
        if text.startswith(FORMULA_STARTS):
            cell.data_type = "s"  # text, never a formula (openpyxl would take "=..." as one)
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    else:
        cell.value = value
    cell.alignment = WRAP if wrap else TOP


def _fill(rag: str | None) -> PatternFill | None:
    colour = RAG_COLOURS.get(rag or "")
    if colour is None:
        return None
    light = "".join(f"{(int(colour[i : i + 2], 16) + 3 * 255) // 4:02X}" for i in (1, 3, 5))
    return PatternFill("solid", fgColor=light)


def _table(
    ws: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Value]],
    rag_cols: Sequence[int] = (),
    rag_of: Sequence[str | None] | None = None,
    top: int = 1,
) -> None:
    """A header row at `top` and the rows below it; `rag_cols` (1-based) get RAG fills."""
    for col, (header, width, _wrap) in enumerate(columns, 1):
        _put(ws, top, col, header)
        ws.cell(row=top, column=col).font = BOLD
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(width, ws.column_dimensions[letter].width or 0)
    for r, values in enumerate(rows, top + 1):
        for col, value in enumerate(values, 1):
            _put(ws, r, col, value, wrap=columns[col - 1][2])
        for col in rag_cols:
            rag = rag_of[r - top - 1] if rag_of is not None else values[col - 1]
            fill = _fill(rag if isinstance(rag, str) else None)
            if fill is not None:
                ws.cell(row=r, column=col).fill = fill
    ws.freeze_panes = f"A{top + 1}"


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = wanted.translate(BAD_SHEET_CHARS)[:31].strip().strip("'") or "Sheet"
    name, n = base, 1
    while name.casefold() in used or name.casefold() == "history":
        n += 1
        name = f"{base[: 31 - len(str(n)) - 3]} ({n})"
    used.add(name.casefold())
    return name


ACTION_COLUMNS: list[Column] = [
    ("action", 9, False), ("title", 50, True), ("owner post", 24, True),
    ("owner (Slack id)", 14, False), ("due", 12, False), ("original due", 12, False),
    ("status", 14, False), ("RAG", 9, False), ("last update at", 17, False),
    ("last update", 60, True),
]  # fmt: skip
CHANGE_COLUMNS: list[Column] = [
    ("when", 17, False), ("plan", 14, False), ("action", 9, False), ("title", 40, True),
    ("who", 14, False), ("status", 24, False), ("RAG", 16, False), ("new due", 12, False),
    ("escalation", 30, True), ("text", 60, True),
]  # fmt: skip


def _action_row(a: ActionLine) -> list[Value]:
    return [a.ref, a.title, a.owner_post, a.owner_user, a.due, a.due_original, a.status,
            a.rag, a.last_update_at, a.last_update_text]  # fmt: skip


def _arrow(before: str | None, after: str | None) -> str:
    return "" if before is None and after is None else f"{before or '–'} → {after or '–'}"


def _change_row(c: Change) -> list[Value]:
    return [c.at, c.plan_key, c.ref, c.title, c.author, _arrow(c.status_from, c.status_to),
            _arrow(c.rag_from, c.rag_to), c.due_to, c.escalation, c.text]  # fmt: skip


def _actions_sheet(ws: Worksheet, actions: Sequence[ActionLine], top: int = 1) -> None:
    """Actions of one recommendation (top=2, under its text) or of many (with plan and rec)."""
    where = top == 1
    columns = [("plan", 14, False), ("rec", 6, False), *ACTION_COLUMNS] if where else ACTION_COLUMNS
    rows = (
        [a.plan_key, a.recommendation, *_action_row(a)] if where else _action_row(a)
        for a in actions
    )
    _table(ws, columns, rows, rag_cols=[len(columns) - 2], top=top)


def _changes_sheet(ws: Worksheet, changes: Sequence[Change]) -> None:
    _table(ws, CHANGE_COLUMNS, map(_change_row, changes), [7], [c.rag_to for c in changes])


def _summary(ws: Worksheet, digest: Digest) -> None:
    facts: list[tuple[str, Value]] = [
        ("Board", digest.board_name),
        ("Plans", ", ".join(digest.plans)),
        ("Meeting", digest.meeting),
        ("Previous meeting", digest.previous_meeting),
        ("Next meeting", digest.next_meeting),
        ("Generated at (UK time)", digest.generated_at),
    ]
    for r, (label, value) in enumerate(facts, 1):
        _put(ws, r, 1, label)
        ws.cell(row=r, column=1).font = BOLD
        _put(ws, r, 2, value)
    totals = digest.totals
    top = len(facts) + 2
    rag_rows: list[Sequence[Value]] = [[key, totals.get(key, 0)] for key in RAG_KEYS]
    rag_rows.append(["total", sum(totals.values())])
    _table(ws, [("RAG", 24, False), ("actions", 28, False)], rag_rows, [1], top=top)
    counts: list[Sequence[Value]] = [
        ["updates since last meeting", len(digest.changes)],
        ["overdue", len(digest.overdue)],
        ["due before next meeting", len(digest.due_before_next)],
        ["chase list", len(digest.chase)],
        ["escalations", len(digest.escalations)],
        ["awaiting sign-off", len(digest.awaiting_signoff)],
    ]
    _table(ws, [("to note", 24, False), ("count", 28, False)], counts, top=top + 8)
    ws.freeze_panes = None


def board_paper_xlsx(digest: Digest) -> bytes:
    """The board paper: Summary, a sheet per recommendation, updates, chase list, escalations."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    _summary(summary, digest)
    used = {name.casefold() for name in FIXED_SHEETS}
    by_rec: dict[tuple[str, str], list[ActionLine]] = {}
    for action in digest.actions:
        by_rec.setdefault((action.plan_key, action.recommendation), []).append(action)
    for rec in digest.recommendations:
        ws = wb.create_sheet(_sheet_name(f"{rec.plan_key} rec {rec.number}", used))
        _put(ws, 1, 1, rec.text, wrap=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ACTION_COLUMNS))
        ws.row_dimensions[1].height = 15 * min(8, 1 + len(rec.text) // 180)
        _actions_sheet(ws, by_rec.pop((rec.plan_key, rec.number), []), top=2)
    leftover = [action for actions in by_rec.values() for action in actions]
    if leftover:
        _actions_sheet(wb.create_sheet(_sheet_name("Other actions", used)), leftover)
    _changes_sheet(wb.create_sheet("Updates since last meeting"), digest.changes)
    _actions_sheet(wb.create_sheet("Chase list"), digest.chase)
    _changes_sheet(wb.create_sheet("Escalations"), digest.escalations)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
