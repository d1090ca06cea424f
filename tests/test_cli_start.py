"""Starting `ofsted-bot` with a bad setup: one clear line on stderr and exit status 2.

Each case runs the command as a user would (a subprocess, a clean environment, its own
working directory) and checks that nothing but that one line is printed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings

ENV_NAMES = {name.upper() for name in Settings.model_fields}
ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE_PG = "postgresql://postgres:hunter2@127.0.0.1:1/test"


def ofsted_bot(
    cwd: Path, *argv: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *argv],
        env=clean,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


INFO_LOG = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO ")


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a refused start prints (on stderr, with status 2, nothing on stdout);
    the log's INFO lines (e.g. loading the default plans into a new database) may precede it."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = [ln for ln in result.stderr.strip().splitlines() if not INFO_LOG.match(ln)]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == "", result.stdout
    assert lines[0].startswith("ofsted-bot: ")
    return lines[0]


# --- an unreachable PostgreSQL ---------------------------------------------------------------

TOKENS = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s"}


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["start"], {}),
        (["start"], TOKENS),
        (["run", "--http"], TOKENS),
        (["console", "-c", "/ofsted rec 4"], {}),
        (["db", "upgrade"], {}),
        (["db", "current"], {}),
        (["jobs", "pending"], {}),
        (["jobs", "run-due"], {}),
        (["plan", "list"], {}),
        (["plan", "import", str(ROOT / "plans" / "stockton.yaml")], {}),
        (["owners", "list"], {}),
        (["digest", "aeb"], {}),
    ],
)
def test_unreachable_postgres_is_one_line(
    tmp_path: Path, argv: list[str], env: dict[str, str]
) -> None:
    result = ofsted_bot(tmp_path, *argv, env={"DATABASE_URL": UNREACHABLE_PG, **env})
    line = one_line(result)
    assert "cannot connect to the database postgresql://postgres:***@127.0.0.1:1/test" in line
    assert "hunter2" not in result.stderr
    assert "refused" in line.lower()


# --- CURRENT_PLAN naming no plan ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["start"], {}),
        (["console", "-c", "/ofsted rec 4"], {}),
        (["run", "--http"], TOKENS),
        (["jobs", "pending"], {}),
    ],
)
def test_current_plan_naming_no_plan_is_refused(
    tmp_path: Path, argv: list[str], env: dict[str, str]
) -> None:
    result = ofsted_bot(tmp_path, *argv, env={"CURRENT_PLAN": "ilacs-2023", **env})
    line = one_line(result)
    assert line.startswith("ofsted-bot: invalid setting CURRENT_PLAN: no plan 'ilacs-2023'")
    for key in ("ilacs-2022", "ilacs-2018", "commissioner-2018", "fostering-review-2021"):
        assert key in line


def test_current_plan_naming_a_plan_is_used(tmp_path: Path) -> None:
    result = ofsted_bot(
        tmp_path, "console", "-c", "/ofsted rec 1", env={"CURRENT_PLAN": "ilacs-2018"}
    )
    assert result.returncode == 0, result.stderr
    assert "Ofsted re-inspection" in result.stdout or "2018" in result.stdout


# --- only some of the Slack tokens -------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-x"}, ["SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"]),
        ({"SLACK_APP_TOKEN": "xapp-x"}, ["SLACK_BOT_TOKEN"]),
        ({"SLACK_SIGNING_SECRET": "s"}, ["SLACK_BOT_TOKEN"]),
        ({"SLACK_APP_TOKEN": "xapp-x", "SLACK_SIGNING_SECRET": "s"}, ["SLACK_BOT_TOKEN"]),
    ],
)
def test_start_with_some_tokens_names_the_missing_one(
    tmp_path: Path, env: dict[str, str], missing: list[str]
) -> None:
    line = one_line(ofsted_bot(tmp_path, "start", env=env, stdin=":quit\n"))
    assert "No Slack tokens are set" not in line
    said_missing = line.split(" but ", 1)[1]
    for name in missing:
        assert name in said_missing
    assert not (tmp_path / "ofsted-bot.db").exists()  # refused before touching anything


@pytest.mark.parametrize(
    ("argv", "env", "missing"),
    [
        (["run"], {}, "SLACK_BOT_TOKEN"),
        (["run", "--socket"], TOKENS, "SLACK_APP_TOKEN"),
        (["run", "--http"], {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_APP_TOKEN": "a"}, "SIGNING"),
        (["run"], {"SLACK_BOT_TOKEN": "xoxb-x"}, "SLACK_APP_TOKEN"),
    ],
)
def test_run_without_the_tokens_it_needs(
    tmp_path: Path, argv: list[str], env: dict[str, str], missing: str
) -> None:
    line = one_line(ofsted_bot(tmp_path, *argv, env=env))
    assert missing in line


def test_start_with_no_tokens_is_the_console(tmp_path: Path) -> None:
    result = ofsted_bot(tmp_path, "start", stdin="/ofsted rec 4\n:quit\n")
    assert result.returncode == 0, result.stderr
    assert "No Slack tokens are set" in result.stdout
    assert "Recommendation 4" in result.stdout


# --- a SQLite file in a folder that does not exist -------------------------------------------


@pytest.mark.parametrize("argv", [["plan", "list"], ["start"], ["db", "upgrade"]])
def test_sqlite_in_a_missing_folder_is_refused(tmp_path: Path, argv: list[str]) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    result = ofsted_bot(tmp_path, *argv, env={"DATABASE_URL": f"sqlite:///{missing}/x.db"})
    line = one_line(result)
    assert line.startswith("ofsted-bot: invalid setting DATABASE_URL:")
    assert str(missing) in line and "does not exist" in line
    assert not missing.parent.exists()


def test_the_default_sqlite_file_is_made_in_the_working_folder(tmp_path: Path) -> None:
    result = ofsted_bot(tmp_path, "plan", "list")
    assert result.returncode == 0, result.stderr
    assert " * ilacs-2022" in result.stdout
    assert (tmp_path / "ofsted-bot.db").is_file()
