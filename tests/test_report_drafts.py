"""`plan draft REPORT.pdf` on every sample report: what a person reads in the PDF.

The reports are at ../shared/reports beside the repository (in CI too); a missing folder
fails these tests rather than skipping them.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from db.planfile import parse_plan_file
from db.report.draft import Draft, draft_from_lines, to_yaml
from db.report.lines import Line, read_lines
from db.report.paragraphs import paragraphs
from tests.report_expectations import REPORTS, Expect

REPORTS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "reports"


@functools.cache
def report_lines(name: str) -> list[Line]:
    return read_lines(REPORTS_DIR / f"{name}.pdf")


@functools.cache
def drafted(name: str) -> Draft:
    return draft_from_lines(report_lines(name), f"{name}.pdf")


def test_every_sample_report_has_its_expectations() -> None:
    assert REPORTS_DIR.is_dir(), f"sample reports missing: {REPORTS_DIR}"
    assert sorted(p.stem for p in REPORTS_DIR.glob("*.pdf")) == sorted(REPORTS)


def _check_front(draft: Draft, want: Expect) -> None:
    plan = draft.plans[0]
    assert draft.council == want.council
    assert plan.inspected == want.inspected
    assert plan.lead_inspector == want.lead
    assert plan.published == want.published
    assert plan.overall == want.overall
    assert [(j.area, j.grade) for j in plan.judgements] == list(
        zip(want.areas, want.grades, strict=True)
    )


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_reads_as_printed(name: str) -> None:
    want = REPORTS[name]
    draft = drafted(name)
    _check_front(draft, want)
    recs = draft.plans[0].recommendations
    assert len(recs) == want.count
    if want.count:
        assert recs[0].text == want.first
        assert recs[-1].text == want.last
    assert all(r.printed == want.numbered for r in recs)
    if not want.numbered:
        assert [r.number for r in recs] == [str(n) for n in range(1, len(recs) + 1)]
    assert tuple(r.framework for r in recs if r.framework) == want.frameworks
    assert all("national framework" not in r.text.lower() for r in recs)
    if want.first_findings:
        assert recs[0].findings[: len(want.first_findings)] == want.first_findings
    if want.lscb is None:
        assert len(draft.plans) == 1
    else:
        grade, count, first, last = want.lscb
        lscb = draft.plans[1]
        assert [(j.area, j.grade) for j in lscb.judgements] == [
            ("The Local Safeguarding Children Board", grade)
        ]
        assert len(lscb.recommendations) == count
        assert lscb.recommendations[0].text == first
        assert lscb.recommendations[-1].text == last
    _check_file(name, draft)


def _check_file(name: str, draft: Draft) -> None:
    """The draft is a plan file `plan import` takes, every recommendation with findings."""
    text = to_yaml(draft, f"{name}.pdf")
    spec = parse_plan_file(f"{name}.yaml", text)
    assert text.startswith("# Drafted by `ofsted-bot plan draft`")
    assert "No actions, owners or dates are invented" in text
    numbered = paragraphs(report_lines(name))
    for plan in spec.plans:
        assert plan.kind == "inspection" and plan.body == "Ofsted"
        for rec in plan.recommendations:
            assert rec.actions == []
            assert rec.findings, f"{plan.key} {rec.number}: no findings"
            assert set(rec.findings) <= set(numbered)
    if not REPORTS[name].count:
        assert "no areas for improvement" in text
    extra = REPORTS[name].extra.get("prose")
    if extra:
        assert extra in text.replace("\n# ", " ")


def test_sif_numbers_are_as_printed_and_lscb_numbers_continue() -> None:
    draft = drafted("hertfordshire-2015-11-27")
    assert [r.number for r in draft.plans[0].recommendations] == [str(n) for n in range(1, 10)]
    assert [r.number for r in draft.plans[1].recommendations] == ["112", "113", "114"]
    assert draft.plans[1].recommendations[2].findings[:3] == ("140", "141", "142")
    tower = drafted("tower-hamlets-2017-04-07")
    assert [r.number for r in tower.plans[1].recommendations] == ["1", "2", "3", "4", "5"]
    assert not any(r.printed for r in tower.plans[1].recommendations)


def test_footnote_marks_and_page_furniture_are_not_in_the_text() -> None:
    for name in ("bradford-2026-05-21", "lambeth-2022-12-16", "tower-hamlets-2017-04-07"):
        for plan in drafted(name).plans:
            for rec in plan.recommendations:
                assert "Inspection of" not in rec.text
                assert "\uf06e" not in rec.text and "◼" not in rec.text
                assert not rec.text[-1].isdigit()
