"""Plans as spreadsheets: the export (XLSX and CSV rows) and the blank template.

What these write, `plan import FILE.xlsx|FILE.csv` reads back (db.plan_sheets): an Actions
table (one row per action), and in a workbook a Plans table and a Recommendations table for
reading. Dates are real dates in a workbook (ISO text in CSV), columns are as wide as what
they hold, and status and RAG cells offer their allowed values.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any, get_args

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from db.models import Plan
from db.plan_export import load_plans
from db.plan_sheets import ACTION_COLUMNS, ACTIONS, PLAN_COLUMNS, PLANS
from db.planfile import PlanKind
from db.status import ActionStatus, Rag

MAX_WIDTH = 60  # characters; longer text wraps
DATE_FORMAT = "yyyy-mm-dd"
REC_COLUMNS = ["plan", "number", "text", "theme", "area", "paragraphs", "actions"]
READ_ME = [
    ("Sheet / column", "What to write"),
    (
        "Plans",
        "Only for a plan not yet in the bot: one row per plan. Plans already loaded "
        "are left as they are.",
    ),
    ("  key", "Short name, lowercase letters, digits and '-', e.g. ilacs-2024"),
    ("  title", "The plan's title, e.g. Ofsted inspection of Testshire children's services"),
    ("  council", "The council's name"),
    ("  kind", "One of: " + ", ".join(get_args(PlanKind))),
    ("  body", "Who made the recommendations, e.g. Ofsted"),
    ("  published", "Optional: the date the report was published"),
    (
        "Actions",
        "One row per action. Rows are matched by plan and action; a new action is "
        "added, a changed one updated. Deleting a row deletes nothing.",
    ),
    ("  plan", "A plan key: one loaded already, or one on the Plans sheet"),
    ("  recommendation", "Its number as printed: 1, 2 … or A, B …"),
    ("  recommendation text", "The recommendation as printed; needed only for a new one"),
    ("  theme", "For reading; not imported"),
    ("  action", "The action's ref, e.g. 1.2; unique within the plan"),
    ("  title", "What will be done"),
    ("  owner post", "The post that owns it (its title or key); a new title adds the post"),
    ("  owner", "For reading: who holds the post (set it with `ofsted-bot owners set`)"),
    ("  due", "A date. Changing it is logged as an update, the original due date kept"),
    ("  original due", "For reading; not imported"),
    (
        "  status",
        "One of: " + ", ".join(s.value for s in ActionStatus) + ". A change is "
        "logged as an update; signing off is the board's",
    ),
    ("  rag", "red, amber or green; blank follows the status. Complete is green"),
    ("  evidence", "What shows it is done: needed to mark an action complete"),
    ("  illustrative", "For reading: values that are examples, to be replaced"),
    (
        "Import",
        "ofsted-bot plan import FILE.xlsx --dry-run (shows the changes), then "
        "ofsted-bot plan import FILE.xlsx --by U0123ABCD (your Slack member id)",
    ),
]


def action_rows(session: Session, council: str | None = None) -> list[list[Any]]:
    """The Actions table's rows: dates as dates (CSV writes them as ISO text)."""
    rows: list[list[Any]] = []
    for plan in load_plans(session, council):
        for rec in plan.recommendations:
            for a in rec.actions:
                holder = a.owner_post.holder if a.owner_post else None
                rows.append(
                    [
                        plan.key,
                        rec.number,
                        rec.text,
                        rec.theme.title if rec.theme else "",
                        a.ref,
                        a.title,
                        a.owner_post.title if a.owner_post else "",
                        holder.slack_user_id if holder else "",
                        a.due,
                        a.due_original,
                        a.status.value,
                        a.rag.value if a.rag else "",
                        a.evidence or "",
                        ", ".join(a.illustrative),
                    ]
                )
    return rows


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row]
        )
    return out.getvalue()


def to_csv(session: Session, council: str | None = None) -> str:
    return _csv(ACTION_COLUMNS, action_rows(session, council))


def template_csv() -> str:
    return _csv(ACTION_COLUMNS, [])


def _plan_row(plan: Plan) -> list[Any]:
    return [plan.key, plan.title, plan.council, plan.kind, plan.body, plan.published]


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> Worksheet:
    sheet: Worksheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.iter_cols(min_row=1), start=1):
        longest = max(len(_shown(c.value)) for c in column)
        width = min(max(longest, 8) + 2, MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width
        for cell in column[1:]:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(wrap_text=longest > MAX_WIDTH, vertical="top")
    return sheet


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return DATE_FORMAT if isinstance(value, date) else str(value)


def _choices(sheet: Worksheet, header: list[str], column: str, values: list[str]) -> None:
    """Offer a column's allowed values in a drop-down (typing another is still read, and
    refused on import with its row if it is not one of them)."""
    letter = get_column_letter(header.index(column) + 1)
    rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
    rule.add(f"{letter}2:{letter}5000")
    sheet.add_data_validation(rule)


def _finish(book: Workbook, actions: Worksheet, path: Path) -> None:
    _choices(actions, ACTION_COLUMNS, "status", [s.value for s in ActionStatus])
    _choices(actions, ACTION_COLUMNS, "rag", [r.value for r in Rag])
    book.save(path)


def write_xlsx(session: Session, path: Path, council: str | None = None) -> None:
    """The plans as a workbook: Plans, Recommendations (for reading) and Actions."""
    plans = load_plans(session, council)
    book = Workbook()
    book.remove(book.worksheets[0])
    _sheet(book, PLANS, PLAN_COLUMNS, [_plan_row(p) for p in plans])
    recs = [
        [
            p.key,
            r.number,
            r.text,
            r.theme.title if r.theme else "",
            r.area or "",
            ", ".join(r.paragraphs),
            len(r.actions),
        ]
        for p in plans
        for r in p.recommendations
    ]
    _sheet(book, "Recommendations", REC_COLUMNS, recs)
    actions = _sheet(book, ACTIONS, ACTION_COLUMNS, action_rows(session, council))
    _finish(book, actions, path)


def write_template(path: Path) -> None:
    """A blank workbook to fill in: Read me, Plans and Actions, headers only."""
    book = Workbook()
    book.remove(book.worksheets[0])
    readme = _sheet(book, "Read me", list(READ_ME[0]), [list(r) for r in READ_ME[1:]])
    readme.column_dimensions["B"].width = 100
    _sheet(book, PLANS, PLAN_COLUMNS, [])
    actions = _sheet(book, ACTIONS, ACTION_COLUMNS, [])
    _finish(book, actions, path)
