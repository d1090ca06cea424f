"""Plans as spreadsheets both ways: export, edit as people do, import back.

Every case runs on SQLite and PostgreSQL. A spreadsheet exported and imported unedited changes
nothing; edited, it changes exactly what was edited, a due date, status or RAG as an update
in the action's history by whoever ran the import, naming the file and row; a bad cell is
refused with its sheet, row and column and nothing is written; the template round-trips.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from db.database import Database
from db.models import Action, AuditEntry, Plan, Update, UpdateSource
from db.plan_export import export_document, to_yaml
from db.plan_import import import_plan_file
from db.plan_sheets import ACTION_COLUMNS, SheetFileError
from db.sheet_changes import SheetPlan, describe
from db.sheet_export import to_csv, write_template, write_xlsx
from db.sheet_import import ImporterNeededError, SheetImport, import_plan_sheet
from db.status import ActionStatus, Rag, settle_rag

SURREY = "Surrey County Council"
TODAY = date(2022, 9, 5)
BY = "U0ADMIN"


def snapshot(database: Database, council: str = SURREY) -> str:
    with database.sessions() as session:
        return to_yaml(export_document(session, council))


def export_xlsx(database: Database, path: Path) -> Path:
    with database.sessions() as session:
        write_xlsx(session, path, SURREY)
    return path


def run(database: Database, path: Path, *, by: str | None = BY, dry: bool = False) -> SheetPlan:
    return import_plan_sheet(database.writes, SheetImport(path, by, TODAY, dry_run=dry))


def rows_of(path: Path) -> tuple[list[str], list[list[Any]]]:
    sheet = load_workbook(path)["Actions"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [str(h) for h in rows[0]], rows[1:]


def find(header: list[str], rows: list[list[Any]], ref: str, plan: str = "ilacs-2022") -> int:
    col_plan, col_ref = header.index("plan"), header.index("action")
    return next(i for i, r in enumerate(rows) if (r[col_plan], r[col_ref]) == (plan, ref))


def edit(path: Path, edits: dict[tuple[str, str], Any], out: Path) -> Path:
    """The workbook with cells changed: {(action ref, column): value}."""
    book = load_workbook(path)
    sheet = book["Actions"]
    header, rows = rows_of(path)
    for (ref, column), value in edits.items():
        sheet.cell(row=find(header, rows, ref) + 2, column=header.index(column) + 1).value = value
    book.save(out)
    return out


def action(database: Database, ref: str, plan: str = "ilacs-2022") -> Action:
    with database.sessions() as session:
        found = session.scalar(select(Action).join(Plan).where(Plan.key == plan, Action.ref == ref))
        assert found is not None
        session.expunge(found)
        return found


def updates(database: Database) -> list[Update]:
    with database.sessions() as session:
        found = list(session.scalars(select(Update).order_by(Update.id)))
        for update in found:
            session.expunge(update)
        return found


def test_exported_and_imported_unedited_changes_nothing(
    surrey_db: Database, tmp_path: Path
) -> None:
    before = snapshot(surrey_db)
    xlsx = export_xlsx(surrey_db, tmp_path / "plan.xlsx")
    with surrey_db.sessions() as session:
        (tmp_path / "plan.csv").write_text(to_csv(session, SURREY))
    for path in (xlsx, tmp_path / "plan.csv"):
        found = run(surrey_db, path, by=None)  # nothing to change: no one need be named
        assert (found.added, found.changed, found.new_posts) == ([], [], [])
        assert len(found.unchanged) == len(rows_of(xlsx)[1])
    assert snapshot(surrey_db) == before
    assert updates(surrey_db) == []


def current_refs(path: Path) -> list[str]:
    header, rows = rows_of(path)
    return [r[header.index("action")] for r in rows if r[0] == "ilacs-2022"]


def cell(path: Path, ref: str, column: str) -> Any:
    header, rows = rows_of(path)
    return rows[find(header, rows, ref)][header.index(column)]


def another(status: ActionStatus) -> ActionStatus:
    return ActionStatus.OFF_TRACK if status != ActionStatus.OFF_TRACK else ActionStatus.ON_TRACK


def test_an_edited_workbook_changes_exactly_what_was_edited(
    surrey_db: Database, tmp_path: Path
) -> None:
    exported = export_xlsx(surrey_db, tmp_path / "plan.xlsx")
    first, second = current_refs(exported)[:2]
    old, other = action(surrey_db, first), action(surrey_db, second)
    status = another(old.status)
    owner_before = cell(exported, second, "owner post")
    owner_after = next(
        t
        for t in (cell(exported, r, "owner post") for r in current_refs(exported))
        if t and t != owner_before
    )
    rag_after = "red" if other.rag != Rag.RED else "amber"
    edited = edit(
        exported,
        {
            (first, "due"): datetime(2031, 6, 30),
            (first, "status"): status.value.title(),
            (second, "title"): other.title + " (phase 2)",
            (second, "owner post"): owner_after,
            (second, "rag"): rag_after.title() + " ",
        },
        tmp_path / "edited.xlsx",
    )
    before = snapshot(surrey_db)
    dry = run(surrey_db, edited, by=None, dry=True)
    assert snapshot(surrey_db) == before and updates(surrey_db) == []  # a dry run writes nothing
    implied = settle_rag(status, old.rag)  # the RAG cell, left as it was, is kept
    assert describe(dry) == [
        f"changed  ilacs-2022 {first} due: {old.due} → 2031-06-30",
        f"changed  ilacs-2022 {first} status: {old.status.value} → {status.value}",
        *(
            [f"changed  ilacs-2022 {first} rag: {old.rag or '(none)'} → {implied}"]
            if implied != old.rag
            else []
        ),
        f"changed  ilacs-2022 {second} title: {other.title} → {other.title} (phase 2)",
        f"changed  ilacs-2022 {second} owner: {owner_before or '(none)'} → {owner_after}",
        f"changed  ilacs-2022 {second} rag: {other.rag or '(none)'} → {rag_after}",
        f"unchanged: {len(rows_of(exported)[1]) - 2} actions",
    ]
    with pytest.raises(ImporterNeededError):
        run(surrey_db, edited, by=None)
    assert snapshot(surrey_db) == before
    run(surrey_db, edited)
    assert not run(surrey_db, edited, by=None).changed  # the same file again changes nothing
    new = action(surrey_db, first)
    assert (new.due, new.due_original, new.status, new.rag) == (
        date(2031, 6, 30),
        old.due_original,
        status,
        implied,
    )
    logged = updates(surrey_db)
    assert [(u.action_id, u.status_from, u.status_to, u.due_from, u.due_to) for u in logged] == [
        (old.id, old.status, status, old.due, date(2031, 6, 30)),
        (other.id, other.status, other.status, None, None),
    ]
    assert logged[1].rag_to == Rag(rag_after)
    assert all(u.source == UpdateSource.IMPORT for u in logged)
    row = find(*rows_of(exported), first) + 2
    assert logged[0].text == f"Changed by the import of edited.xlsx, Actions row {row}"
    assert logged[0].due_reason == f"changed in edited.xlsx, Actions row {row}"
    with surrey_db.sessions() as session:
        authors = {u.author.slack_user_id for u in session.scalars(select(Update))}
        audit = session.scalars(select(AuditEntry).where(AuditEntry.kind == "import")).all()
        kinds = session.scalars(select(AuditEntry.kind).order_by(AuditEntry.id)).all()
    assert authors == {BY}
    assert [a.detail["title"] for a in audit] == [f"{other.title} → {other.title} (phase 2)"]
    assert kinds == ["import", "update", "update"] or kinds == ["update", "import", "update"]
    # nothing else changed: the first export, imported again, changes back only the edits
    again = run(surrey_db, exported, dry=True)
    assert {(a.ref, c.field) for a in again.changed for c in a.changes} >= {
        (first, "due"),
        (first, "status"),
        (second, "title"),
        (second, "owner"),
        (second, "rag"),
    }
    assert {a.ref for a in again.changed} == {first, second}


def excel_saved(exported: Path, out: Path, edits: dict[tuple[str, str], Any]) -> Path:
    """The workbook as Excel leaves it after an edit: dates as bare serial numbers, spaces
    after values, the due column moved to the end."""
    header, rows = rows_of(exported)
    for (ref, column), value in edits.items():
        rows[find(header, rows, ref)][header.index(column)] = value
    order = [h for h in header if h != "due"] + ["due"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Actions"
    sheet.append([h.upper() + " " for h in order])
    for row in rows:
        values = dict(zip(header, row, strict=True))
        cells = []
        for name in order:
            value = values[name]
            if isinstance(value, datetime):
                value = (value - datetime(1899, 12, 30)).days  # a serial, no date format
            elif isinstance(value, str) and value:
                value += "  "
            cells.append(value)
        sheet.append(cells)
    book.save(out)
    return out


def test_a_workbook_as_excel_saves_it(surrey_db: Database, tmp_path: Path) -> None:
    exported = export_xlsx(surrey_db, tmp_path / "plan.xlsx")
    ref = current_refs(exported)[2]
    old = action(surrey_db, ref)
    saved = excel_saved(exported, tmp_path / "excel.xlsx", {(ref, "due"): datetime(2031, 1, 31)})
    found = run(surrey_db, saved)
    assert describe(found)[:1] == [f"changed  ilacs-2022 {ref} due: {old.due} → 2031-01-31"]
    assert len(found.changed) == 1
    assert action(surrey_db, ref).due == date(2031, 1, 31)


def excel_csv(text: str, edits: dict[tuple[str, str], str]) -> bytes:
    """CSV as Excel saves it ("CSV UTF-8"): a BOM, CRLF, UK dates, spaces, a column moved."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    for (ref, column), value in edits.items():
        body[find(header, body, ref)][header.index(column)] = value
    order = ["status", *[h for h in header if h != "status"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f" {h} " for h in order])
    for row in body:
        values = dict(zip(header, row, strict=True))
        for name in ("due", "original due"):
            if values[name]:
                values[name] = date.fromisoformat(values[name]).strftime("%d/%m/%Y")
        writer.writerow([values[h] + " " if values[h] else "" for h in order])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def test_a_csv_as_excel_saves_it(surrey_db: Database, tmp_path: Path) -> None:
    with surrey_db.sessions() as session:
        text = to_csv(session, SURREY)
    header, *rows = list(csv.reader(io.StringIO(text)))
    ref = [r[header.index("action")] for r in rows if r[0] == "ilacs-2022"][1]
    old = action(surrey_db, ref)
    status = another(old.status)
    path = tmp_path / "excel.csv"
    path.write_bytes(excel_csv(text, {(ref, "status"): status.value.upper()}))
    found = run(surrey_db, path)
    rag = settle_rag(status, old.rag)
    assert [(a.ref, c.field, c.after) for a in found.changed for c in a.changes] == [
        (ref, "status", status.value),
        *([(ref, "rag", str(rag))] if rag != old.rag else []),
    ]
    new = action(surrey_db, ref)
    assert (new.status, new.rag, new.due, new.due_original) == (
        status,
        rag,
        old.due,
        old.due_original,
    )


def test_a_new_action_is_added(surrey_db: Database, tmp_path: Path) -> None:
    exported = export_xlsx(surrey_db, tmp_path / "plan.xlsx")
    book = load_workbook(exported)
    sheet = book["Actions"]
    header = [c.value for c in sheet[1]]
    row = dict.fromkeys(header, None) | {
        "plan": "ilacs-2022",
        "recommendation": "1",
        "action": "1.9",
        "title": "Audit of step-down decisions",
        "owner post": "Head of Audit",
        "due": datetime(2023, 3, 31),
        "status": "on track",
    }
    sheet.append([row[h] for h in header])
    row |= {"action": "1.8", "owner post": "Director Family Resilience & Safeguarding"}
    sheet.append([row[h] for h in header])  # a new action under a post that is stored
    book.save(tmp_path / "added.xlsx")
    dry = describe(run(surrey_db, tmp_path / "added.xlsx", dry=True))  # read after its rollback
    assert "owner Director Family Resilience & Safeguarding" in dry[2]
    found = run(surrey_db, tmp_path / "added.xlsx")
    assert describe(found)[:2] == [
        "added    post Head of Audit",
        "added    ilacs-2022 1.9: Audit of step-down decisions (recommendation 1, owner Head "
        "of Audit, due 2023-03-31, on track)",
    ]
    new = action(surrey_db, "1.9")
    assert (new.title, new.due, new.due_original, new.status, new.rag) == (
        "Audit of step-down decisions",
        date(2023, 3, 31),
        date(2023, 3, 31),
        ActionStatus.ON_TRACK,
        Rag.GREEN,
    )
    assert not run(surrey_db, tmp_path / "added.xlsx").changed  # twice changes nothing


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("due", "31/13/2023", "'31/13/2023' is not a date in the calendar"),
        ("due", "next spring", "'next spring' is not a date: write 2023-06-30 or 30/06/2023"),
        ("status", "finished", "'finished' is not a status (one of: not started, on track, "),
        ("rag", "purple", "'purple' is not a RAG (red, amber or green)"),
        ("status", "signed off", "sign-off is the board's"),
        ("status", "complete", "say what shows it is done in the evidence column"),
        ("recommendation", "6", "is under recommendation 1, not 6 (a sheet does not move"),
        ("title", "  ", "the action needs a title"),
        ("due", None, "a sheet cannot clear a due date"),
    ],
)
def test_a_bad_cell_is_refused_with_sheet_row_and_column(
    surrey_db: Database, tmp_path: Path, column: str, value: Any, message: str
) -> None:
    exported = export_xlsx(surrey_db, tmp_path / "plan.xlsx")
    header, rows = rows_of(exported)
    # a good edit too: refused with the rest, as nothing is written
    edited = edit(
        exported, {("1.1", column): value, ("2.1", "title"): "Renamed"}, tmp_path / "bad.xlsx"
    )
    before = snapshot(surrey_db)
    with pytest.raises(SheetFileError) as caught:
        run(surrey_db, edited)
    reported = "evidence" if value == "complete" else column  # what the rule asks for
    letter = "ABCDEFGHIJKLMN"[header.index(reported)]
    where = f"{edited}: Actions row {find(header, rows, '1.1') + 2}, column {letter} ({reported}): "
    assert len(caught.value.lines()) == 1 and caught.value.lines()[0].startswith(where)
    assert message in caught.value.lines()[0]
    assert snapshot(surrey_db) == before and updates(surrey_db) == []


def test_a_signed_off_action_is_not_changed_by_a_sheet(surrey_db: Database, tmp_path: Path) -> None:
    with surrey_db.writes.begin() as session:
        found = session.scalar(select(Action).where(Action.ref == "1.1"))
        assert found is not None
        found.status, found.rag = ActionStatus.SIGNED_OFF, Rag.GREEN
    exported = export_xlsx(surrey_db, tmp_path / "plan.xlsx")
    edited = edit(exported, {("1.1", "due"): datetime(2030, 1, 1)}, tmp_path / "late.xlsx")
    with pytest.raises(SheetFileError) as caught:
        run(surrey_db, edited)
    assert caught.value.lines() == [
        f"{edited}: Actions row 2, column I (due): action 1.1 is signed off by the board; "
        "an admin can reopen it"
    ]


def fill_template(path: Path) -> Path:
    book = load_workbook(path)
    book["Plans"].append(
        [
            "ilacs-2024",
            "Ofsted inspection of Testshire",
            "Testshire County Council",
            "inspection",
            "Ofsted",
            datetime(2024, 5, 1),
        ]
    )
    actions = book["Actions"]
    header = [c.value for c in actions[1]]
    for ref, number, text, owner, due, status in [
        (
            "1.1",
            "1",
            "Supervision is regular.",
            "Head of Quality Assurance",
            datetime(2024, 9, 30),
            "on track",
        ),
        ("1.2", "1", "", "Director of Children's Services", datetime(2024, 12, 31), ""),
        ("2.1", "2", "Fewer agency staff.", "", None, "not started"),
    ]:
        row = dict.fromkeys(header, None) | {
            "plan": "ilacs-2024",
            "recommendation": number,
            "recommendation text": text,
            "action": ref,
            "title": f"Action {ref}",
            "owner post": owner,
            "due": due,
            "status": status,
        }
        actions.append([row[h] for h in header])
    book.save(path)
    return path


def test_the_template_round_trips(empty_db: Database, tmp_path: Path) -> None:
    template = tmp_path / "template.xlsx"
    write_template(template)
    book = load_workbook(template)
    assert book.sheetnames == ["Read me", "Plans", "Actions"]
    assert [c.value for c in book["Actions"][1]] == ACTION_COLUMNS
    filled = fill_template(template)
    found = run(empty_db, filled)
    assert len(found.added) == 3 and found.new_plans[0]["key"] == "ilacs-2024"
    with empty_db.sessions() as session:
        plan = session.scalar(select(Plan).where(Plan.key == "ilacs-2024"))
        assert plan is not None and plan.is_current
        assert [r.text for r in plan.recommendations] == [
            "Supervision is regular.",
            "Fewer agency staff.",
        ]
    exported = tmp_path / "exported.xlsx"
    with empty_db.sessions() as session:
        write_xlsx(session, exported, "Testshire County Council")
    header, rows = rows_of(exported)
    assert [
        (r[header.index("action")], r[header.index("owner post")] or "", r[header.index("due")])
        for r in rows
    ] == [
        ("1.1", "Head of Quality Assurance", datetime(2024, 9, 30)),
        ("1.2", "Director of Children's Services", datetime(2024, 12, 31)),
        ("2.1", "", None),
    ]
    again = run(empty_db, exported, by=None)
    assert (again.added, again.changed, len(again.unchanged)) == ([], [], 3)
    assert not run(empty_db, filled, by=None).changed


def test_exports_write_real_dates_and_fitting_widths(surrey_db: Database, tmp_path: Path) -> None:
    sheet = load_workbook(export_xlsx(surrey_db, tmp_path / "plan.xlsx"))["Actions"]
    header = [c.value for c in sheet[1]]
    due = sheet.cell(row=2, column=header.index("due") + 1)
    assert isinstance(due.value, datetime) and due.is_date
    for name in ("plan", "action", "status"):
        letter = "ABCDEFGHIJKLMN"[header.index(name)]
        longest = max(len(str(c.value or "")) for c in sheet[letter])
        assert longest <= sheet.column_dimensions[letter].width <= longest + 10
    title = "ABCDEFGHIJKLMN"[header.index("title")]
    longest = max(len(str(c.value or "")) for c in sheet[title])
    assert sheet.column_dimensions[title].width == min(longest + 2, 60)
    assert sheet[f"{title}2"].alignment.wrap_text == (longest > 60)


def test_import_of_stockton_then_surrey_sheet_touches_only_surrey(
    surrey_db: Database, tmp_path: Path
) -> None:
    import_plan_file(
        surrey_db.writes, Path(__file__).resolve().parent.parent / "plans" / "stockton.yaml"
    )
    stockton = snapshot(surrey_db, "Stockton-on-Tees Borough Council")
    exported = export_xlsx(surrey_db, tmp_path / "plan.xlsx")
    run(surrey_db, edit(exported, {("1.1", "title"): "New"}, tmp_path / "e.xlsx"))
    assert snapshot(surrey_db, "Stockton-on-Tees Borough Council") == stockton
