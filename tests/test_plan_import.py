"""Importing plan files: shipped plans, idempotence, edits, refusals, round trips."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.database import Database
from db.models import Action, Plan, Recommendation, Update, UpdateSource
from db.plan_export import export_document, to_yaml
from db.plan_import import import_plan_file
from db.planfile import PlanFileError
from db.plans import plan_summaries
from db.sheet_export import to_csv, write_xlsx
from db.status import ActionStatus, Rag

ROOT = Path(__file__).resolve().parent.parent
SMALL = Path(__file__).parent / "fixtures" / "plans" / "small.yaml"


def snapshot(database: Database) -> str:
    with database.sessions() as session:
        return to_yaml(export_document(session, "Surrey County Council"))


def counts(database: Database) -> dict[str, tuple[int, int]]:
    with database.sessions() as session:
        return {s.key: (s.recommendations, s.actions) for s in plan_summaries(session)}


def test_shipped_surrey_plans(surrey_db: Database) -> None:
    found = counts(surrey_db)
    assert {k: v[0] for k, v in found.items()} == {
        "ilacs-2022": 6,
        "ilacs-2018": 18,
        "commissioner-2018": 10,
        "monitoring-2021": 5,
        "cwd-review-2021": 8,
        "fostering-review-2021": 7,
    }
    assert found["ilacs-2022"][1] >= 12  # actions for the current plan
    with surrey_db.sessions() as session:
        current = session.scalars(select(Plan).where(Plan.is_current)).all()
        assert [p.key for p in current] == ["ilacs-2022"]
        numbers = session.scalars(
            select(Recommendation.number)
            .join(Plan)
            .where(Plan.key == "cwd-review-2021")
            .order_by(Recommendation.position)
        ).all()
        assert numbers == list("abcdefgh")


def test_stockton_is_a_second_council(surrey_db: Database) -> None:
    import_plan_file(surrey_db.writes, ROOT / "plans" / "stockton.yaml")
    with surrey_db.sessions() as session:
        plan = session.scalar(select(Plan).where(Plan.key == "ilacs-2019"))
        assert plan is not None
        assert plan.council == "Stockton-on-Tees Borough Council"
        assert [r.number for r in plan.recommendations] == list("ABCDEF")
        assert all(r.response for r in plan.recommendations)
        # the file marks its plan current, but another plan already is: it stays current
        # (an import must not silently switch what `/ofsted rec N` means) ...
        assert session.scalars(select(Plan.key).where(Plan.is_current)).all() == ["ilacs-2022"]
    # ... unless asked to
    report = import_plan_file(surrey_db.writes, ROOT / "plans" / "stockton.yaml", make_current=True)
    assert report.current == "ilacs-2019"
    with surrey_db.sessions() as session:
        assert session.scalars(select(Plan.key).where(Plan.is_current)).all() == ["ilacs-2019"]


def test_import_twice_changes_nothing(surrey_db: Database) -> None:
    before = snapshot(surrey_db)
    report = import_plan_file(surrey_db.writes, ROOT / "plans" / "surrey.yaml")
    assert not report.touched, report.summary()
    assert snapshot(surrey_db) == before


def test_edited_file_updates_texts_and_dates_and_keeps_updates(
    empty_db: Database, tmp_path: Path
) -> None:
    import_plan_file(empty_db.writes, SMALL)
    with empty_db.writes.begin() as session:
        action = session.scalar(select(Action).where(Action.ref == "2.1"))
        assert action is not None
        session.add(
            Update(
                action=action,
                text="Campaign launched",
                status_from=action.status,
                status_to=ActionStatus.OFF_TRACK,
                rag_from=action.rag,
                rag_to=Rag.RED,
                source=UpdateSource.SLASH,
            )
        )
        action.status, action.rag = ActionStatus.OFF_TRACK, Rag.RED

    edited = tmp_path / "edited.yaml"
    edited.write_text(
        SMALL.read_text()
        .replace(
            "Recruitment campaign for permanent social workers",
            "Recruitment campaign for permanent social workers and managers",
        )
        .replace("due: 2023-06-30", "due: 2023-08-31")
    )
    report = import_plan_file(empty_db.writes, edited)
    assert report.changed["actions"] == 1
    assert any("2.1" in note and "kept status" in note for note in report.notes)
    with empty_db.sessions() as session:
        action = session.scalar(select(Action).where(Action.ref == "2.1"))
        assert action is not None
        assert action.title.endswith("and managers")
        assert action.due == date(2023, 8, 31)
        # the owner's report stands: the file's "at risk/amber" does not overwrite it
        assert (action.status, action.rag) == (ActionStatus.OFF_TRACK, Rag.RED)
        updates = session.scalars(select(Update)).all()
        assert [u.text for u in updates] == ["Campaign launched"]


def test_broken_file_writes_nothing(surrey_db: Database, tmp_path: Path) -> None:
    before = snapshot(surrey_db)
    text = (ROOT / "plans" / "surrey.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    # a good first plan, then a duplicate number further down
    bad.write_text(
        text.replace("fostering-review-2021", "fostering-review-2022", 1).replace(
            'number: "g"', 'number: "f"'
        )
    )
    with pytest.raises(PlanFileError) as caught:
        import_plan_file(surrey_db.writes, bad)
    assert "duplicate recommendation number 'f'" in str(caught.value)
    assert snapshot(surrey_db) == before
    assert "fostering-review-2022" not in counts(surrey_db)


def test_yaml_export_round_trips(surrey_db: Database, tmp_path: Path) -> None:
    exported = tmp_path / "export.yaml"
    exported.write_text(snapshot(surrey_db))
    # into the same database: nothing to change
    assert not import_plan_file(surrey_db.writes, exported).touched
    # into a second, empty database: the same data comes out again
    other = Database.connect(f"sqlite:///{tmp_path / 'other.db'}")
    other.upgrade()
    import_plan_file(other.writes, exported)
    assert snapshot(other) == exported.read_text()
    other.dispose()


def test_csv_and_xlsx_exports(surrey_db: Database, tmp_path: Path) -> None:
    with surrey_db.sessions() as session:
        rows = list(csv.reader(io.StringIO(to_csv(session, "Surrey County Council"))))
        n_actions = session.scalar(select(func.count()).select_from(Action))
        write_xlsx(session, tmp_path / "plans.xlsx", "Surrey County Council")
    assert rows[0][:5] == ["plan", "recommendation", "recommendation text", "theme", "action"]
    assert len(rows) - 1 == n_actions
    book = load_workbook(tmp_path / "plans.xlsx")
    assert book.sheetnames == ["Plans", "Recommendations", "Actions"]
    assert book["Recommendations"].max_row - 1 == 54
    assert book["Actions"].max_row - 1 == n_actions


def _marks(document: dict[str, Any]) -> dict[str, Any]:
    """Every `illustrative` mark of a plan file, by where it is."""
    found: dict[str, Any] = {}
    for plan in document["plans"]:
        for theme in plan.get("themes", []):
            found[f"{plan['key']} theme {theme['key']}"] = theme.get("illustrative", False)
        for rec in plan["recommendations"]:
            found[f"{plan['key']} {rec['number']}"] = rec.get("illustrative", [])
            for action in rec.get("actions", []):
                found[f"{plan['key']} {action['ref']}"] = action.get("illustrative", [])
    for board in document.get("boards", []):
        found[f"board {board['key']}"] = board.get("illustrative", [])
    return found


def test_illustrative_marks_are_stored_and_exported(surrey_db: Database) -> None:
    """Themes', recommendations' (theme, area, findings, number), actions' (recommendation)
    and boards' (plans) marks survive the database: a council sees what to replace."""
    shipped = yaml.safe_load((ROOT / "plans" / "surrey.yaml").read_text(encoding="utf-8"))
    with surrey_db.sessions() as session:
        exported = export_document(session, "Surrey County Council")
    marks = _marks(exported)
    assert marks == _marks(shipped)
    assert marks["ilacs-2022 theme assessment"] is True
    assert marks["ilacs-2022 1"] == ["number", "theme", "area"]
    assert marks["ilacs-2018 4"] == ["findings"]
    assert "recommendation" in marks["ilacs-2022 1.1"]
    assert "plans" in marks["board opab"]
