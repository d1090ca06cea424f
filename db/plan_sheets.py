"""Reading a plan spreadsheet (XLSX or CSV) into rows, the way people edit them.

The layout is what `plan export --format xlsx|csv` and `plan template` write (plans/README.md):
an Actions table, and in a workbook a Plans table for plans not yet in the database. Columns
are found by their header, in any order, with any case and spacing; cells are read the way
Excel saves them: surrounding spaces dropped, dates as dates, as serial numbers
(45107) or as text (2023-06-30, 30/06/2023), numbers where text was meant (a recommendation 1
saved as 1.0). Every bad cell is reported with its sheet, row, column and what is wrong.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from db.planfile import PlanFileError, Problem
from db.status import ActionStatus, Rag

ACTIONS = "Actions"
PLANS = "Plans"
ACTION_COLUMNS = [
    "plan",
    "recommendation",
    "recommendation text",
    "theme",
    "action",
    "title",
    "owner post",
    "owner",
    "due",
    "original due",
    "status",
    "rag",
    "evidence",
    "illustrative",
]
PLAN_COLUMNS = ["key", "title", "council", "kind", "body", "published"]
REQUIRED = {ACTIONS: ("plan", "recommendation", "action", "title"), PLANS: tuple(PLAN_COLUMNS[:5])}
ALIASES = {"ref": "action", "action ref": "action", "due date": "due", "rag status": "rag"}
_EXCEL_EPOCH = date(1899, 12, 30)
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
_RAGS = {"r": Rag.RED, "a": Rag.AMBER, "g": Rag.GREEN} | {r.value: r for r in Rag}


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int
    column: str  # the spreadsheet's letter
    header: str
    message: str


class SheetFileError(PlanFileError):
    """A spreadsheet that cannot be imported; nothing was written."""

    def __init__(self, path: str, cells: list[CellProblem], general: Sequence[str] = ()) -> None:
        self.cells = cells
        self.general = list(general)
        super().__init__(path, [Problem(None, m) for m in self.general])

    def lines(self) -> list[str]:
        found = [f"{self.path}: {m}" for m in self.general]
        return found + [
            f"{self.path}: {c.sheet} row {c.row}, column {c.column} ({c.header}): {c.message}"
            for c in self.cells
        ]


@dataclass
class Row:
    """One data row: its cells by (canonical) header, and where each header is."""

    sheet: str
    number: int
    values: dict[str, Any]
    letters: dict[str, str]

    def has(self, name: str) -> bool:
        return name in self.letters


@dataclass
class Table:
    sheet: str
    rows: list[Row] = field(default_factory=list)


def letter(index: int) -> str:
    """The spreadsheet column letter of a 0-based column index (0 → A, 26 → AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _header(cell: Any) -> str:
    name = " ".join(str(cell or "").replace("\ufeff", "").split()).lower()
    return ALIASES.get(name, name)


def _table(sheet: str, rows: list[list[Any]], problems: list[str]) -> Table:
    table = Table(sheet)
    if not rows:
        problems.append(f"{sheet}: the sheet is empty (the first row names the columns)")
        return table
    headers = [_header(c) for c in rows[0]]
    missing = [n for n in REQUIRED[sheet] if n not in headers]
    if missing:
        named = ", ".join(h for h in headers if h) or "nothing"
        problems.append(
            f"{sheet}: no column {', '.join(repr(m) for m in missing)} in the first row "
            f"(it names {named}); `plan template` writes the columns"
        )
        return table
    columns = {h: i for i, h in reversed(list(enumerate(headers))) if h}
    for number, cells in enumerate(rows[1:], start=2):
        if all(text(c) == "" for c in cells):
            continue  # a blank row, as sheets have
        values = {h: cells[i] if i < len(cells) else None for h, i in columns.items()}
        table.rows.append(Row(sheet, number, values, {h: letter(i) for h, i in columns.items()}))
    return table


def read_sheets(path: Path) -> dict[str, Table]:
    """The file's tables by sheet name (a CSV file is the Actions table), or SheetFileError."""
    problems: list[str] = []
    try:
        raw = _read_xlsx(path) if path.suffix.lower() == ".xlsx" else {ACTIONS: _read_csv(path)}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise SheetFileError(str(path), [], [f"cannot read the file ({exc})"]) from None
    if ACTIONS not in raw:
        names = ", ".join(raw) or "none"
        raise SheetFileError(str(path), [], [f"no sheet named {ACTIONS} (sheets: {names})"])
    tables = {name: _table(name, rows, problems) for name, rows in raw.items()}
    if problems:
        raise SheetFileError(str(path), [], problems)
    return tables


def _read_xlsx(path: Path) -> dict[str, list[list[Any]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        tables = {}
        for name in book.sheetnames:
            if name in REQUIRED:
                sheet = book[name]
                sheet.reset_dimensions()  # not every program writes them true
                tables[name] = [list(r) for r in sheet.iter_rows(values_only=True)]
        return tables
    finally:
        book.close()


def _read_csv(path: Path) -> list[list[Any]]:
    data = path.read_bytes()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = data.decode("cp1252")  # Excel's "CSV" on Windows, not "CSV UTF-8"
    return [list(r) for r in csv.reader(io.StringIO(content, newline=""))]


# --- cells ------------------------------------------------------------------------------------


class CellValueError(ValueError):
    """A cell that cannot mean what its column holds; the message says what would."""


def text(value: Any) -> str:
    """A cell as text: spaces collapsed at the ends, a number Excel made of text made text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def as_date(value: Any) -> date | None:
    """A date from a date cell, an Excel serial (number or digits) or ISO / UK text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value))
    written = str(value).strip()
    if _SERIAL.match(written):
        return _serial(float(written))
    try:
        if match := _ISO_DATE.match(written):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _UK_DATE.match(written):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise CellValueError(f"{written!r} is not a date in the calendar") from None
    raise CellValueError(
        f"{written!r} is not a date: write 2023-06-30 or 30/06/2023 (or format the cell as a date)"
    )


def _serial(number: float) -> date:
    if not 1 <= number < 2958466:  # Excel's range: 1900-01-01 .. 9999-12-31
        raise CellValueError(f"{number:g} is not a date")
    return _EXCEL_EPOCH + timedelta(days=int(number))


def as_status(value: Any) -> ActionStatus | None:
    written = " ".join(text(value).lower().replace("_", " ").replace("-", " ").split())
    if not written:
        return None
    try:
        return ActionStatus(written)
    except ValueError:
        allowed = ", ".join(s.value for s in ActionStatus)
        raise CellValueError(f"{text(value)!r} is not a status (one of: {allowed})") from None


def as_rag(value: Any) -> Rag | None:
    written = text(value).lower()
    if not written:
        return None
    if written not in _RAGS:
        raise CellValueError(f"{text(value)!r} is not a RAG (red, amber or green)")
    return _RAGS[written]
