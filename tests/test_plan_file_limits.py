"""A hostile or broken plan file is refused early, in one line, without growing.

Three shapes PyYAML's SafeLoader lets through: aliases that repeat what they point to (a
"billion laughs": 408 bytes, 9^9 values), brackets nested 50,000 deep (a 3,000-line
RecursionError), and a key given twice (the last silently won). Each is refused with the file,
the line and what is wrong, by `plan validate` and when it is PLANS_FILE on first start.
The hostile cases run in a child process under a 1 GB address-space cap, so the old behaviour
(gigabytes in a minute) fails the test instead of taking the machine; how fast and how small the
refusal is: bench/plan_files.py.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot.settings import Settings
from db.models import Plan
from db.planfile import PlanFileError, parse_plan_file

SMALL = Path(__file__).parent / "fixtures" / "plans" / "small.yaml"
ENV_NAMES = {name.upper() for name in Settings.model_fields}
CAP = 1 << 30  # bytes of address space the child may use


def billion_laughs() -> str:
    """Nine anchors each repeating the one before nine times: 9^9 values from 408 bytes."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for before, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{before}"] * 9) + "]")
    lines.append("council: *i")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "laughs": (
        billion_laughs(),
        "laughs.yaml:6: aliases (*e) repeat more than 100,000 values "
        "(a plan file needs no aliases)",
    ),
    "nested": (
        "council: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "nested.yaml:1: nested more than 64 levels deep",
    ),
}


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def ofsted_bot(cwd: Path, *argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *argv],
        env={**clean, "LOG_LEVEL": "WARNING", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        preexec_fn=_cap_memory,
    )


def refusal(result: subprocess.CompletedProcess[str], path: Path) -> str:
    """The one problem line of a refused file (then the 'nothing was written' line)."""
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0], f"{path}: refused: nothing was written"], lines
    return lines[0]


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_yaml_is_refused_by_validate(tmp_path: Path, case: str) -> None:
    text, expected = HOSTILE[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    result = ofsted_bot(tmp_path, "plan", "validate", str(path), env={})
    assert refusal(result, path) == f"{tmp_path}/{expected}"


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_plans_file_is_refused_on_first_start(
    tmp_path: Path, database_url: str, case: str
) -> None:
    text, expected = HOSTILE[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    env = {"DATABASE_URL": database_url, "PLANS_FILE": str(path)}
    if not database_url.startswith("sqlite"):
        assert ofsted_bot(tmp_path, "db", "upgrade", env=env).returncode == 0
    result = ofsted_bot(tmp_path, "start", env=env)
    assert refusal(result, path) == f"{tmp_path}/{expected}"
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Plan)) == 0
    engine.dispose()


def problems(text: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_file("plan.yaml", text)
    return caught.value.lines()


def test_a_duplicate_key_is_refused_where_it_repeats() -> None:
    text = SMALL.read_text().replace(
        "council: Testshire County Council\n",
        "council: Testshire County Council\ncouncil: Othershire\n",
    )
    assert problems(text) == ["plan.yaml:2: duplicate key 'council' (first on line 1)"]


def test_a_duplicate_key_in_an_action_is_refused() -> None:
    due = "            due: 2023-12-31\n"
    text = SMALL.read_text().replace(due, due + "            due: 2024-03-31\n")
    line = text.splitlines().index("            due: 2024-03-31") + 1
    assert problems(text) == [f"plan.yaml:{line}: duplicate key 'due' (first on line {line - 1})"]


def test_a_duplicate_key_in_a_flow_mapping_is_refused() -> None:
    text = SMALL.read_text().replace(
        "plans: [ilacs-2023]", "plans: [ilacs-2023]\n    extra: {a: 1, a: 2}"
    )
    line = text.splitlines().index("    extra: {a: 1, a: 2}") + 1
    assert problems(text) == [f"plan.yaml:{line}: duplicate key 'a' (first on line {line})"]


def test_a_few_aliases_and_ordinary_nesting_still_read() -> None:
    text = SMALL.read_text().replace("due: 2023-09-30", "due: &quarter 2023-09-30")
    text = text.replace("due: 2023-12-31", "due: *quarter")
    spec = parse_plan_file("plan.yaml", text)
    actions = spec.plans[0].recommendations[0].actions
    assert [a.due for a in actions] == [actions[0].due, actions[0].due]
