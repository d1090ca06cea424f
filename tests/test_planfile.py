"""A bad plan file is refused with the file, the line and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.planfile import PlanFileError, parse_plan_file

SMALL = Path(__file__).parent / "fixtures" / "plans" / "small.yaml"


def broken(replace: str, by: str) -> str:
    text = SMALL.read_text()
    assert replace in text, replace
    return text.replace(replace, by, 1)


def line_of(text: str, needle: str) -> int:
    """The line of the last occurrence (a duplicate is reported where it repeats)."""
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line][-1]


def problems(text: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_file("plan.yaml", text)
    return caught.value.lines()


def test_shipped_small_fixture_is_valid() -> None:
    spec = parse_plan_file(SMALL)
    assert [r.number for r in spec.plans[0].recommendations] == ["1", "2"]


@pytest.mark.parametrize(
    ("replace", "by", "needle", "message"),
    [
        (
            "      - number: 2\n",
            "      - number: 1\n",
            "- number: 1",
            "duplicate recommendation number '1'",
        ),
        (
            "owner: head-qa",
            "owner: head-of-nothing",
            "head-of-nothing",
            "unknown post 'head-of-nothing'",
        ),
        ("due: 2023-09-30", "due: 2023-02-30", "2023-02-30", "due"),
        ('ref: "2.1"', 'ref: "1.1"', 'ref: "1.1"', "duplicate action ref '1.1'"),
        ("status: at risk", "status: fine", "status: fine", "status"),
        (
            "theme: practice\n        paragraphs",
            "theme: nope\n        paragraphs",
            "theme: nope",
            "unknown theme 'nope'",
        ),
        ("secretary: head-qa", "secretary: nobody", "secretary: nobody", "unknown post 'nobody'"),
        (
            "plans: [ilacs-2023]",
            "plans: [ilacs-1999]",
            "plans: [ilacs-1999]",
            "unknown plan 'ilacs-1999'",
        ),
    ],
)
def test_problem_is_reported_on_its_line(replace: str, by: str, needle: str, message: str) -> None:
    text = broken(replace, by)
    lines = problems(text)
    expected_line = line_of(text, needle)
    assert any(ln.startswith(f"plan.yaml:{expected_line}:") and message in ln for ln in lines), (
        lines
    )


def test_missing_text_is_reported_on_the_recommendation() -> None:
    text = broken("        text: The quality and impact of supervision.\n", "")
    lines = problems(text)
    # the recommendation that lost its text starts on the line of its number
    number_line = next(i for i, ln in enumerate(text.splitlines(), 1) if "- number: 1" in ln)
    assert any(
        f"plan.yaml:{number_line}:" in ln and "text" in ln and "Field required" in ln
        for ln in lines
    ), lines


def test_empty_text_is_refused() -> None:
    lines = problems(
        broken("text: The proportion of permanent staff, to reduce turnover.", 'text: "  "')
    )
    assert any("text" in ln for ln in lines), lines


def test_yaml_syntax_error_names_the_line() -> None:
    text = broken("    kind: inspection", "    kind: [inspection")
    lines = problems(text)
    assert lines
    assert "not valid YAML" in lines[0]
    assert lines[0].startswith("plan.yaml:")


def test_unknown_field_is_refused() -> None:
    text = broken("    body: Ofsted", "    body: Ofsted\n    bodyy: typo")
    lines = problems(text)
    assert any(f"plan.yaml:{line_of(text, 'bodyy')}:" in ln and "bodyy" in ln for ln in lines), (
        lines
    )


def test_two_current_plans_are_refused() -> None:
    text = SMALL.read_text()
    plan = text[text.index("  - key: ilacs-2023") : text.index("boards:")]
    text = text.replace("boards:", plan.replace("ilacs-2023", "ilacs-2024") + "boards:")
    assert any("more than one plan is marked current" in ln for ln in problems(text))


def test_not_a_mapping() -> None:
    assert problems("- just\n- a list\n") == [
        "plan.yaml:1: expected a mapping with council, posts, plans"
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_file(tmp_path / "missing.yaml")
    assert "cannot read the file" in str(caught.value)


def test_unknown_illustrative_field_is_named() -> None:
    text = broken("illustrative: [due]", "illustrative: [colour]")
    lines = problems(text)
    assert lines == [
        f"plan.yaml:{line_of(text, 'colour')}: plans.recommendations.actions."
        "illustrative: illustrative names unknown fields ['colour']"
    ]
