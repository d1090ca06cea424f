"""The digest's files: the RAG chart (PNG) and the board paper (XLSX)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from matplotlib.image import imread
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from db.status import RAG_KEYS
from jobs.board_paper import board_paper_xlsx
from jobs.digest_files import rag_chart_png
from jobs.digest_model import ActionLine, Change, Digest, RecommendationRag, TrendPoint

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INJECTION = '=HYPERLINK("http://evil.example/","click me")'


def counts(
    red: int = 0, amber: int = 0, green: int = 0, done: int = 0, unrated: int = 0
) -> dict[str, int]:
    return {"red": red, "amber": amber, "green": green, "done": done, "unrated": unrated}


def action(
    rec: str, ref: str, title: str, rag: str | None, plan: str = "ilacs-2022", **kw: object
) -> ActionLine:
    fields: dict[str, object] = {
        "action_id": abs(hash((plan, rec, ref))) % 10_000,
        "plan_key": plan,
        "recommendation": rec,
        "ref": ref,
        "title": title,
        "owner_post": "Head of Service, Children in Care",
        "owner_user": "U0123ABC",
        "due": date(2024, 9, 30),
        "due_original": date(2024, 6, 30),
        "status": "in progress",
        "rag": rag,
        "last_update_at": datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
        "last_update_text": "Audit started",
    }
    fields.update(kw)
    return ActionLine(**fields)  # type: ignore[arg-type]


def change(ref: str, text: str, **kw: object) -> Change:
    fields: dict[str, object] = {
        "plan_key": "ilacs-2022",
        "ref": ref,
        "title": f"Action {ref}",
        "at": datetime(2024, 7, 2, 9, 30, tzinfo=UTC),
        "author": "U0AUTHOR",
        "text": text,
        "status_from": "not started",
        "status_to": "in progress",
        "rag_from": "amber",
        "rag_to": "green",
    }
    fields.update(kw)
    return Change(**fields)  # type: ignore[arg-type]


def make_digest(**kw: object) -> Digest:
    actions = [
        action("1", "1.1", "Review the front door", "red"),
        action("1", "1.2", INJECTION, "amber", last_update_text="+44 7700 900123 rang"),
        action("1", "1.3", "Train social workers", None, status="complete"),
        action("2", "2.1", "-- dashboards for team managers", "green", due=None),
        action("4", "4.1", "@channel care leavers offer", "red", plan="jtai-2023"),
    ]
    recs = [
        RecommendationRag("ilacs-2022", "1", "Timeliness of assessments " * 20, counts(1, 1, 0, 1)),
        RecommendationRag("ilacs-2022", "2", "Management oversight", counts(green=1)),
        RecommendationRag("jtai-2023", "4", "Care leavers", counts(red=1)),
    ]
    changes = [
        change("1.1", "Started the audit", rag_from=None, rag_to="red"),
        change("1.2", "=1+2", at=datetime(2024, 7, 3, 23, 30, tzinfo=UTC), escalation="Budget"),
        change("2.1", "Dashboard live", status_to="complete", rag_to=None, due_to=date(2024, 8, 1)),
    ]
    trend = [
        TrendPoint(date(2024, 1, 10), counts(3, 1, 1)),
        TrendPoint(date(2024, 4, 10), counts(2, 2, 1)),
        TrendPoint(date(2024, 7, 10), counts(2, 1, 1, 1)),
    ]
    fields: dict[str, object] = {
        "board_key": "main",
        "board_name": "Improvement Board",
        "meeting": date(2024, 7, 10),
        "previous_meeting": date(2024, 4, 10),
        "next_meeting": date(2024, 10, 9),
        "generated_at": datetime(2024, 7, 8, 7, 0, tzinfo=UTC),
        "plans": ["ilacs-2022", "jtai-2023"],
        "recommendations": recs,
        "actions": actions,
        "changes": changes,
        "overdue": [actions[0]],
        "due_before_next": actions[:2],
        "chase": [actions[0], actions[4]],
        "escalations": [changes[1]],
        "awaiting_signoff": [],
        "trend": trend,
    }
    fields.update(kw)
    return Digest(**fields)  # type: ignore[arg-type]


def many_recommendations(n: int) -> list[RecommendationRag]:
    return [
        RecommendationRag(
            f"plan-{i % 7}", str(i), f"Recommendation {i} " * 5, counts(i % 5, i % 3, 4)
        )
        for i in range(n)
    ]


def decode(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    pixels = imread(io.BytesIO(png), format="png")
    return pixels.shape[1], pixels.shape[0]


def open_book(data: bytes) -> Workbook:
    assert data.startswith(b"PK")
    return load_workbook(io.BytesIO(data))


# --- the chart -------------------------------------------------------------------------------


def test_chart_is_a_png_of_a_sensible_size() -> None:
    width, height = decode(rag_chart_png(make_digest()))
    assert (width, height) == (1400, 700)


@pytest.mark.parametrize("n", [0, 1, 400])
def test_chart_copes_with_any_number_of_recommendations(n: int) -> None:
    digest = make_digest(recommendations=many_recommendations(n), actions=[])
    assert decode(rag_chart_png(digest)) == (1400, 700)


@pytest.mark.parametrize("points", [0, 1])
def test_chart_without_a_trend_yet(points: int) -> None:
    digest = make_digest(trend=make_digest().trend[:points])
    assert decode(rag_chart_png(digest)) == (1400, 700)


def test_chart_is_deterministic() -> None:
    digest = make_digest()
    assert rag_chart_png(digest) == rag_chart_png(digest)


def test_chart_shows_the_worst_40_of_many(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.axes import Axes

    seen: dict[str, list[str]] = {}
    original = Axes.set_yticks

    def spy(self: Axes, ticks: object, labels: list[str] | None = None, **kw: object) -> object:
        seen["labels"] = list(labels or [])
        return original(self, ticks, labels, **kw)  # type: ignore[arg-type]

    titles: list[str] = []
    original_title = Axes.set_title

    def title_spy(self: Axes, label: str, *args: object, **kw: object) -> object:
        titles.append(label)
        return original_title(self, label, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Axes, "set_yticks", spy)
    monkeypatch.setattr(Axes, "set_title", title_spy)
    recs = many_recommendations(400)
    rag_chart_png(make_digest(recommendations=recs, actions=[]))
    assert len(seen["labels"]) == 40
    worst = {
        f"{r.plan_key} rec {r.number}" for r in recs if r.counts["red"] + r.counts["amber"] == 6
    }
    assert len(worst) > 0
    assert worst <= set(seen["labels"])
    assert any("40 of 400" in title for title in titles)


# --- the board paper -------------------------------------------------------------------------


def test_summary_sheet_comes_first_with_the_totals() -> None:
    digest = make_digest()
    book = open_book(board_paper_xlsx(digest))
    assert book.sheetnames[0] == "Summary"
    ws = book["Summary"]
    labels = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(1, 40)}
    assert labels["Board"] == "Improvement Board"
    assert labels["Meeting"] == datetime(2024, 7, 10)
    assert labels["Previous meeting"] == datetime(2024, 4, 10)
    assert labels["Next meeting"] == datetime(2024, 10, 9)
    assert labels["Generated at (UK time)"] == datetime(2024, 7, 8, 8, 0)  # BST
    for key in RAG_KEYS:
        assert labels[key] == digest.totals[key]
    assert labels["total"] == sum(digest.totals.values()) == 5
    assert labels["updates since last meeting"] == 3
    assert labels["overdue"] == 1
    assert labels["due before next meeting"] == 2
    assert labels["chase list"] == 2
    assert labels["escalations"] == 1
    assert labels["awaiting sign-off"] == 0


SHEETS = [
    "Summary",
    "Recommendations",
    "Actions",
    "Updates since last meeting",
    "Chase list",
    "Escalations",
]


def test_one_actions_sheet_with_filters_and_a_row_per_recommendation() -> None:
    book = open_book(board_paper_xlsx(make_digest()))
    assert book.sheetnames == SHEETS
    recs = list(book["Recommendations"].iter_rows(values_only=True))
    assert recs[0] == ("plan", "rec", "recommendation", *RAG_KEYS, "total")
    assert [r[:2] for r in recs[1:]] == [
        ("ilacs-2022", "1"),
        ("ilacs-2022", "2"),
        ("jtai-2023", "4"),
    ]
    assert str(recs[1][2]).startswith("Timeliness of assessments")
    assert recs[1][3:] == (1, 1, 0, 1, 0, 3)
    ws = book["Actions"]
    header = [cell.value for cell in ws[1]]
    assert header == [
        "plan", "rec", "action", "title", "owner post", "owner", "due", "original due",
        "days overdue", "status", "RAG", "last update at", "last update", "evidence",
    ]  # fmt: skip
    assert ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:N6"
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("ilacs-2022", "1", "1.1"),
        ("ilacs-2022", "1", "1.2"),
        ("ilacs-2022", "1", "1.3"),
        ("ilacs-2022", "2", "2.1"),
        ("jtai-2023", "4", "4.1"),
    ]
    assert rows[0][6] == datetime(2024, 9, 30)
    assert rows[0][7] == datetime(2024, 6, 30)
    assert rows[0][10] == "red"
    assert rows[0][11] == datetime(2024, 7, 1, 13, 0)  # 12:00 UTC is 13:00 in London in July
    assert rows[2][10] is None
    assert rows[3][6] is None
    assert ws["K2"].fill.fgColor.rgb.endswith("F4CCC6")  # light red
    assert ws.column_dimensions["D"].width == pytest.approx(40, abs=1)
    assert ws["D2"].alignment.wrap_text
    assert ws["D2"].alignment.vertical == "top"
    assert rows[4][3] == "@channel care leavers offer"


def test_updates_sheet_matches_the_changes() -> None:
    digest = make_digest()
    ws = open_book(board_paper_xlsx(digest))["Updates since last meeting"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:4] == ["when", "plan", "action", "title"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(digest.changes)
    for row, change_ in zip(rows, digest.changes, strict=True):
        assert row[2] == change_.ref
        assert row[9] == change_.text
        assert row[8] == change_.escalation
    assert rows[0][0] == datetime(2024, 7, 2, 10, 30)
    assert rows[1][0] == datetime(2024, 7, 4, 0, 30)  # the next day in London
    assert rows[0][5] == "not started → in progress"
    assert rows[0][6] == "– → red"
    assert rows[2][7] == datetime(2024, 8, 1)


def test_chase_list_and_escalations_sheets() -> None:
    book = open_book(board_paper_xlsx(make_digest()))
    chase = list(book["Chase list"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[2]) for row in chase] == [
        ("ilacs-2022", "1", "1.1"),
        ("jtai-2023", "4", "4.1"),
    ]
    escalations = list(book["Escalations"].iter_rows(min_row=2, values_only=True))
    assert [(row[2], row[8]) for row in escalations] == [("1.2", "Budget")]


def test_user_text_is_never_a_formula() -> None:
    book = open_book(board_paper_xlsx(make_digest()))
    title = book["Actions"]["D3"]
    assert title.value == INJECTION
    assert title.data_type == "s"
    assert title.quotePrefix
    update = book["Actions"]["M3"]
    assert update.value == "+44 7700 900123 rang"
    assert update.data_type == "s"
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    # and in the raw XML, no formula element at all
    import zipfile

    with zipfile.ZipFile(io.BytesIO(board_paper_xlsx(make_digest()))) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_hundreds_of_recommendations_are_rows_not_sheets() -> None:
    recs = many_recommendations(400)
    actions = [action(r.number, f"{r.number}.1", "x", "red", plan=r.plan_key) for r in recs]
    book = open_book(board_paper_xlsx(make_digest(recommendations=recs, actions=actions)))
    assert book.sheetnames == SHEETS
    assert book["Summary"]["A9"].value == "red"
    assert book["Summary"]["B9"].value == sum(i % 5 for i in range(400))
    assert book["Recommendations"].max_row == 401
    assert book["Actions"]["C400"].value == "398.1"


def test_unmatched_actions_and_control_characters() -> None:
    actions = [
        action("9", "9.1", "stray\x0b action\x00", "amber", plan="other"),
        *make_digest().actions,
    ]
    book = open_book(board_paper_xlsx(make_digest(actions=actions)))
    rows = list(book["Actions"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[3]) for row in rows[:1]] == [("other", "9", "stray action")]
    assert len(rows) == 6


def test_empty_digest() -> None:
    digest = make_digest(
        recommendations=[], actions=[], changes=[], chase=[], escalations=[], trend=[], overdue=[]
    )
    assert decode(rag_chart_png(digest)) == (1400, 700)
    book = open_book(board_paper_xlsx(digest))
    assert book.sheetnames == ["Summary", "Updates since last meeting", "Chase list", "Escalations"]
    assert list(book["Chase list"].iter_rows(min_row=2, values_only=True)) == []
