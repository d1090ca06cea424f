"""The shipped plans are the seeds as printed: numbering, order, completeness, texts, paragraphs,
responses, judgements, dates and cadences (tests/seed_check.py against tests/seed_ledger.py),
and every inference the seeds do not print is marked `illustrative`.

The seeds are the public reports in ../shared/seeds (CI copies shared/ beside the repo). Text
comparison ignores only line breaks, runs of white space and the `**` bold marks and HTML tags
of the text extraction. Each kind of departure is made on a copy of a shipped plan and must be
caught, so that the check is known to be able to fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from seed_check import problems

from db.planfile import PlanFile, parse_plan_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
PLAN_FILES = {path.name: path for path in sorted((ROOT / "plans").glob("*.yaml"))}

Doc = dict[str, Any]


@pytest.fixture
def seeds() -> Path:
    """The seeds' folder; missing, the tests fail in CI (CI=true) and are skipped elsewhere."""
    if not SEEDS.is_dir():
        message = f"the seed documents are not at {SEEDS} (CI has them beside the repo)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return SEEDS


def test_the_shipped_files_hold_all_60_recommendations() -> None:
    specs = [parse_plan_file(path) for path in PLAN_FILES.values()]
    assert sorted(PLAN_FILES) == ["stockton.yaml", "surrey.yaml"]
    assert sum(len(plan.recommendations) for s in specs for plan in s.plans) == 60


@pytest.mark.parametrize("name", sorted(PLAN_FILES))
def test_shipped_plan_is_as_printed(name: str, seeds: Path) -> None:
    assert problems(parse_plan_file(PLAN_FILES[name]), seeds) == []


def _doc(name: str) -> Doc:
    return parse_plan_file(PLAN_FILES[name]).model_dump()


def _plan(doc: Doc, key: str) -> Doc:
    return next(p for p in doc["plans"] if p["key"] == key)


def _recs(doc: Doc, key: str) -> list[Doc]:
    recs: list[Doc] = _plan(doc, key)["recommendations"]
    return recs


def _board(doc: Doc, key: str) -> Doc:
    return next(b for b in doc["boards"] if b["key"] == key)


def cut_short(doc: Doc) -> None:
    rec = _recs(doc, "ilacs-2018")[2]
    rec["text"] = rec["text"][:-25]


def swapped(doc: Doc) -> None:
    recs = _recs(doc, "ilacs-2022")
    recs[1], recs[2] = recs[2], recs[1]


def swapped_keeping_numbers(doc: Doc) -> None:
    recs = _recs(doc, "ilacs-2018")
    recs[4]["text"], recs[5]["text"] = recs[5]["text"], recs[4]["text"]


def dropped(doc: Doc) -> None:
    del _recs(doc, "ilacs-2018")[-1]


def dropped_and_duplicated(doc: Doc) -> None:
    recs = _recs(doc, "cwd-review-2021")
    recs[4] = recs[3] | {"number": recs[4]["number"]}


def wrong_paragraphs(doc: Doc) -> None:
    _recs(doc, "ilacs-2018")[6]["paragraphs"] = ["8"]


def no_paragraphs(doc: Doc) -> None:
    _recs(doc, "ilacs-2018")[0]["paragraphs"] = []


def wrong_number(doc: Doc) -> None:
    _recs(doc, "fostering-review-2021")[2]["number"] = "x"


def wrong_cadence(doc: Doc) -> None:
    _board(doc, "aeb")["every_weeks"] = 4


def wrong_anchor(doc: Doc) -> None:
    _board(doc, "opab")["anchor"] = date(2018, 9, 26)


def wrong_grade(doc: Doc) -> None:
    _plan(doc, "ilacs-2018")["judgements"][1]["grade"] = "requires improvement to be good"


def wrong_overall(doc: Doc) -> None:
    _plan(doc, "ilacs-2022")["overall"] = "good"


def wrong_published(doc: Doc) -> None:
    _plan(doc, "ilacs-2022")["published"] = date(2022, 3, 10)


def wrong_inspected(doc: Doc) -> None:
    _plan(doc, "monitoring-2021")["inspected"] = "2021-09-07 to 2021-09-09"


def wrong_source_date(doc: Doc) -> None:
    doc["sources"][0]["published"] = date(2022, 7, 7)


def theme_unmarked(doc: Doc) -> None:
    _recs(doc, "ilacs-2022")[0]["illustrative"] = ["number", "area"]


def findings_unmarked(doc: Doc) -> None:
    _recs(doc, "ilacs-2018")[3]["illustrative"] = []


def theme_title_unmarked(doc: Doc) -> None:
    _plan(doc, "ilacs-2022")["themes"][0]["illustrative"] = False


def filing_unmarked(doc: Doc) -> None:
    action = _recs(doc, "ilacs-2022")[1]["actions"][0]
    action["illustrative"] = [m for m in action["illustrative"] if m != "recommendation"]


def board_plans_unmarked(doc: Doc) -> None:
    board = _board(doc, "g2g")
    board["illustrative"] = [m for m in board["illustrative"] if m != "plans"]


def board_plans_wrong(doc: Doc) -> None:
    _board(doc, "aeb")["plans"] = ["ilacs-2018"]


SURREY: dict[str, Callable[[Doc], None]] = {
    f.__name__: f
    for f in (
        cut_short,
        swapped,
        swapped_keeping_numbers,
        dropped,
        dropped_and_duplicated,
        wrong_paragraphs,
        no_paragraphs,
        wrong_number,
        wrong_cadence,
        wrong_anchor,
        wrong_grade,
        wrong_overall,
        wrong_published,
        wrong_inspected,
        wrong_source_date,
        theme_unmarked,
        findings_unmarked,
        theme_title_unmarked,
        filing_unmarked,
        board_plans_unmarked,
        board_plans_wrong,
    )
}


def council_wording(doc: Doc) -> None:
    rec = _recs(doc, "ilacs-2019")[0]
    rec["text"] = rec["response"].split(". We have")[0] + "."


def response_cut(doc: Doc) -> None:
    rec = _recs(doc, "ilacs-2019")[3]
    rec["response"] = rec["response"].split(" It should be noted")[0]


def stockton_grade(doc: Doc) -> None:
    _plan(doc, "ilacs-2019")["judgements"][0]["grade"] = "requires improvement to be good"


def stockton_letters(doc: Doc) -> None:
    _recs(doc, "ilacs-2019")[0]["number"] = "1"


def wrong_submitted(doc: Doc) -> None:
    _plan(doc, "ilacs-2019")["submitted"] = date(2019, 10, 4)


def received_invented(doc: Doc) -> None:
    _plan(doc, "ilacs-2019")["received"] = date(2019, 7, 2)


STOCKTON: dict[str, Callable[[Doc], None]] = {
    f.__name__: f
    for f in (
        council_wording,
        response_cut,
        stockton_grade,
        stockton_letters,
        wrong_submitted,
        received_invented,
    )
}
MUTATIONS = [("surrey.yaml", name) for name in SURREY] + [
    ("stockton.yaml", name) for name in STOCKTON
]


@pytest.mark.parametrize(("name", "mutation"), MUTATIONS, ids=[m[1] for m in MUTATIONS])
def test_each_departure_from_the_seeds_is_caught(name: str, mutation: str, seeds: Path) -> None:
    doc = _doc(name)
    (SURREY | STOCKTON)[mutation](doc)
    assert problems(PlanFile.model_validate(doc), seeds) != []
