"""Every shipped recommendation text (and council response) is printed in its source document.

The seeds are the public reports in ../shared/seeds. Comparison ignores only line breaks and
runs of white space, and the `**` bold markers of the text extraction; every word, apostrophe
and punctuation mark must match.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from db.planfile import parse_plan_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
PLAN_FILES = sorted((ROOT / "plans").glob("*.yaml"))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def quotations() -> list[tuple[str, str, str]]:
    found = []
    for path in PLAN_FILES:
        spec = parse_plan_file(path)
        files = {s.key: s.file for s in spec.sources}
        for plan in spec.plans:
            seed = files.get(plan.source or "")
            assert seed, f"{path.name}: plan {plan.key} names no source file"
            for rec in plan.recommendations:
                found.append((f"{plan.key} rec {rec.number}", seed, rec.text))
                if rec.response:
                    found.append((f"{plan.key} rec {rec.number} response", seed, rec.response))
    return found


QUOTATIONS = quotations()


def test_there_is_something_to_check() -> None:
    assert len(PLAN_FILES) >= 2
    assert len([q for q in QUOTATIONS if "response" not in q[0]]) == 60


@pytest.mark.parametrize(("where", "seed", "text"), QUOTATIONS, ids=[q[0] for q in QUOTATIONS])
def test_text_is_verbatim_in_its_source(where: str, seed: str, text: str) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed documents are not at {SEEDS} (CI has them beside the repo)")
    source = normalise((SEEDS / seed).read_text(encoding="utf-8"))
    assert normalise(text) in source, f"{where} is not printed in {seed}: {text[:80]!r}"
