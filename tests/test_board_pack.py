"""The board pack (PDF) and the board paper (XLSX) looked at as printed pages: each is rendered
(the PDF by PDFium, the workbook by LibreOffice, as a council's office suite would print it),
and its pages are checked for count, orientation, page numbers, text that overlaps other text
(what a cell too small for its text prints) and text that went missing (what a row too short
for its lines hides)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy
import pypdfium2
import pytest
from reportlab.platypus import SimpleDocTemplate, Table
from sqlalchemy import select
from test_digest_files import action, change, make_digest

from db.database import Database
from db.due_dates import DateRequestRow
from db.models import Board, Meeting
from jobs.board_pack import board_pack_pdf
from jobs.board_paper import board_paper_xlsx
from jobs.digest import digest_for
from jobs.digest_files import board_files
from jobs.digest_model import Digest
from jobs.meetings import ensure_meetings

LONDON_10_OCT = datetime(2022, 10, 10, 8, 0, tzinfo=UTC)  # 09:00 in London, the digest's day
LONG_WORD = "Safeguarding-partnership-multi-agency-audit-programme-2024-" * 3
ZONE = ZoneInfo("Europe/London")
NAMES = "Zoë Łukasiewicz, Şebnem Çelik → cover"


@dataclass
class Page:
    width: float
    height: float
    text: str
    rects: list[tuple[float, float, float, float]]
    ink: float  # the share of the page that is not white


def pages_of(pdf: bytes, render: bool = True) -> Iterator[Page]:
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        width, height = page.get_size()
        text = page.get_textpage()
        rects = [text.get_rect(i) for i in range(text.count_rects())]
        ink = 0.0
        if render:
            grey = numpy.asarray(page.render(scale=0.5, grayscale=True).to_pil().convert("L"))
            ink = float((grey < 200).mean())
        yield Page(width, height, words(text.get_text_range()), rects, ink)


def overlaps(page: Page) -> list[tuple[int, int]]:
    """Pairs of text runs drawn over each other (half a point of slack)."""
    found = []
    for i, (l1, b1, r1, t1) in enumerate(page.rects):
        for j in range(i + 1, len(page.rects)):
            l2, b2, r2, t2 = page.rects[j]
            if l1 < r2 - 0.5 and l2 < r1 - 0.5 and b1 < t2 - 0.5 and b2 < t1 - 0.5:
                found.append((i, j))
    return found


def outside(page: Page, margin: float = 20) -> list[tuple[float, float, float, float]]:
    return [
        r
        for r in page.rects
        if r[0] < margin or r[2] > page.width - margin or r[1] < margin / 2 or r[3] > page.height
    ]


def words(text: str) -> str:
    return " ".join(text.split())


def surrey_digest(db: Database) -> Digest:
    with db.writes.begin() as session:
        board = session.scalars(select(Board).where(Board.key == "aeb")).one()
        ensure_meetings(session, [board], date(2022, 9, 5))
        meeting = session.scalars(
            select(Meeting).where(
                Meeting.board_id == board.id, Meeting.held_on == date(2022, 10, 12)
            )
        ).one()
        return digest_for(session, board, meeting, LONDON_10_OCT, ZONE)


def crowded_digest() -> Digest:
    """Long titles and updates, a word longer than any column, names in other alphabets."""
    base = make_digest()
    actions = [
        action(
            str(1 + i // 8), f"{1 + i // 8}.{1 + i % 8}",
            ("Improve the quality and impact of supervision " * (1 + i % 4)) + LONG_WORD * (i % 2),
            ["red", "amber", "green", None][i % 4],
            last_update_text=("Audit of 40 case files done; findings to the March board " * (i % 6))
            or None,
            owner_post=NAMES if i % 5 == 0 else "Head of Service",
            evidence="https://surreycc.sharepoint.example/sites/ofsted/minutes-2024-03.pdf",
            due=date(2024, 6, 1) if i == 0 else date(2024, 9, 30),
        )
        for i in range(60)
    ]  # fmt: skip
    freeze = "Recruitment freeze: " + "needs the board " * 8
    changes = [change("1.1", "Moved: panel dates slipped " * 6, due_to=date(2024, 9, 1)),
               change("1.2", "HR", escalation=freeze)]  # fmt: skip
    asked = DateRequestRow(
        id=1, plan_key="ilacs-2022", ref="1.3", title=actions[2].title, owner_post="Head",
        due_from=date(2024, 9, 30), due_to=date(2025, 1, 31), reason="Panel dates slipped " * 5,
        state="pending", requested_by="Şebnem Çelik", requested_at=LONDON_10_OCT,
        decided_by=None, decided_at=None, decision_reason=None, update_id=1,
    )  # fmt: skip
    return make_digest(actions=actions, overdue=actions[:12], chase=actions[10:30],
                       awaiting_signoff=actions[30:34], changes=changes, date_requests=[asked],
                       escalations=changes[1:], recommendations=base.recommendations)  # fmt: skip


# --- the PDF board pack ------------------------------------------------------------------------


def test_the_surrey_board_pack_is_a_few_numbered_landscape_pages(staffed_db: Database) -> None:
    digest = surrey_digest(staffed_db)
    files = dict(board_files(digest))
    assert list(files) == [
        "aeb-2022-10-12-rag.png",
        "aeb-2022-10-12-board-pack.pdf",
        "aeb-2022-10-12-board-paper.xlsx",
    ]
    pages = list(pages_of(files["aeb-2022-10-12-board-pack.pdf"]))
    assert 2 <= len(pages) <= 6
    for number, page in enumerate(pages, 1):
        assert (round(page.width), round(page.height)) == (842, 595)  # A4, landscape
        assert f"page {number} of {len(pages)}" in page.text
        assert "Achieving Excellence Board" in page.text and "12 Oct 2022" in page.text
        assert page.ink > 0.01  # something is printed
        assert overlaps(page) == [] and outside(page) == []
    text = words(" ".join(page.text for page in pages))
    for section in ("Decisions for the board", "Exceptions", "Recommendations and their actions"):
        assert section in text
    for rec in digest.recommendations:
        assert f"{rec.plan_key} recommendation {rec.number}:" in text
    for line in digest.actions:
        assert words(line.title)[:30] in text, line.ref
    assert pages[0].ink > 0.05  # the chart is on the first page


def test_crowded_text_wraps_inside_its_cells_and_nothing_is_drawn_over_anything() -> None:
    digest = crowded_digest()
    pages = list(pages_of(board_pack_pdf(digest)))
    for page in pages:
        assert overlaps(page) == [], page.text[:200]
        assert outside(page) == []
    text = "".join(page.text for page in pages)
    assert "Zoë Łukasiewicz" in words(text)  # a font with the letters, not boxes
    assert "Recruitment freeze" in text and "Moved: panel dates slipped" in text
    said = words(text)
    assert "New due dates asked for, to approve or reject" in said  # the board's to decide
    assert "30 Sep 2024 to 31 Jan 2025: Panel dates slipped" in said and "Şebnem Çelik" in said
    assert "…" in text  # the longest updates are cut in the pack (the XLSX has every word)


def test_the_overlap_check_sees_text_that_overflows_its_cell() -> None:
    out = io.BytesIO()
    table = Table([["x" * 120, "next column"]], colWidths=[60, 60])
    SimpleDocTemplate(out).build([table])
    [page] = pages_of(out.getvalue(), render=False)
    assert overlaps(page)


def test_four_thousand_actions_make_a_pack_with_every_recommendation() -> None:
    base = crowded_digest()
    actions = [
        action(str(1 + i // 10), f"{1 + i // 10}.{1 + i % 10}", f"Action {i}", "amber")
        for i in range(400)
    ]
    recs = [type(r)(r.plan_key, str(n), f"Recommendation {n}", {}) for n, r in
            enumerate([base.recommendations[0]] * 40, 1)]  # fmt: skip
    digest = make_digest(actions=actions, recommendations=recs, overdue=[], chase=[])
    pages = list(pages_of(board_pack_pdf(digest), render=False))
    text = words(" ".join(page.text for page in pages))
    assert all(f"recommendation {n}:" in text for n in range(1, 41))
    assert "Action 399" in text
    assert f"page {len(pages)} of {len(pages)}" in pages[-1].text


# --- the XLSX board paper, printed by LibreOffice ---------------------------------------------


def printed(xlsx: bytes, tmp_path: Path) -> bytes:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing: .ci/test installs it")
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        )
    (tmp_path / "paper.xlsx").write_bytes(xlsx)
    profile = f"-env:UserInstallation=file://{tmp_path}/office"
    subprocess.run(
        [office, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(tmp_path / "paper.xlsx")], check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return (tmp_path / "paper.pdf").read_bytes()


def test_the_board_paper_prints_one_page_wide_with_headers_and_every_line(
    tmp_path: Path,
) -> None:
    digest = crowded_digest()
    pages = list(pages_of(printed(board_paper_xlsx(digest), tmp_path)))
    assert len(pages) < 15  # was 24 pages for a smaller board, the Actions split five ways
    for page in pages:
        assert page.width > page.height  # landscape
        assert "Improvement Board" in page.text and "meeting 10 Jul 2024" in page.text
        assert re.search(r"page \d+ of \d+", page.text)
        assert overlaps(page) == []
    actions = [page for page in pages if "Actions" in page.text and "days overdue" in page.text]
    assert actions, "the Actions sheet prints"
    for page in actions:  # one page wide: every page of the sheet has its first and last column
        assert "plan" in page.text and "evidence" in page.text
    text = words(" ".join(page.text for page in pages))
    for line in digest.actions:  # every line of a wrapped title is printed, none hidden
        assert words(line.title).replace(LONG_WORD.strip(), "")[-40:] in text, line.ref


def test_the_board_paper_names_owners_counts_days_overdue_and_links_evidence() -> None:
    from openpyxl import load_workbook

    digest = crowded_digest()
    ws = load_workbook(io.BytesIO(board_paper_xlsx(digest)))["Actions"]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    first = dict(zip(header, rows[0], strict=True))
    assert first["owner"].value == "U0123ABC"  # no name known: the member id
    assert first["days overdue"].value == (date(2024, 7, 8) - date(2024, 6, 1)).days == 37
    assert dict(zip(header, rows[1], strict=True))["days overdue"].value is None  # not yet due
    assert first["evidence"].hyperlink is not None
    assert first["evidence"].hyperlink.target.startswith("https://surreycc.sharepoint.example/")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage  # one page wide (1 is the default width)
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"  # the header row on every page
    tall = [r for r in rows if "supervision Improve" in str(r[3].value)]
    assert tall and all(ws.row_dimensions[r[0].row].height >= 30 for r in tall)


# --- the chart ----------------------------------------------------------------------------------


def test_the_chart_keeps_its_labels_inside_counts_its_bars_and_draws_its_trend_as_lines() -> None:
    from matplotlib.lines import Line2D

    from jobs.digest_files import rag_chart
    from jobs.digest_model import RAG_COLOURS, RAG_LEGEND

    digest = make_digest()
    figure = rag_chart(digest)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    page = figure.bbox
    bars, trend = figure.axes
    for label in [*bars.get_yticklabels(), *trend.get_xticklabels(), *figure.texts]:
        box = label.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0, label.get_text()
    counts = sorted(t.get_text() for t in bars.texts if t.get_text())
    assert counts == ["1"] * 5  # a count on every part of every bar
    [legend] = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == list(RAG_LEGEND.values())
    from commands.views.digest import KEY

    for key in ("red", "amber", "green", "done"):  # the chart's words and colours are Slack's
        assert RAG_LEGEND[key].split(":")[0] in KEY
    assert "🔵 done: complete or signed off" in KEY and RAG_COLOURS["done"] == "#1d70b8"
    box = legend.get_window_extent(renderer)
    assert box.y0 > max(ax.get_window_extent(renderer).y1 for ax in figure.axes)  # clear of data
    lines = [line for line in trend.get_lines() if isinstance(line, Line2D)]
    assert {line.get_color() for line in lines} <= set(RAG_COLOURS.values())
    assert len(lines) >= 3 and not trend.collections  # lines, not a stacked area
