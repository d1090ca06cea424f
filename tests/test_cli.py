"""The `ofsted-bot` command line, against SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
SMALL = Path(__file__).parent / "fixtures" / "plans" / "small.yaml"


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PLANS_FILE", str(ROOT / "plans" / "surrey.yaml"))
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    if not database_url.startswith("sqlite"):
        assert main(["db", "upgrade"]) == 0
    return database_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_plan_list_shows_surreys_six_plans(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "plan", "list")
    assert status == 0
    counts = {m[1]: int(m[2]) for m in re.finditer(r"(\S+)\s+(\d+) recommendations", out)}
    assert counts == {
        "ilacs-2022": 6,
        "ilacs-2018": 18,
        "commissioner-2018": 10,
        "monitoring-2021": 5,
        "cwd-review-2021": 8,
        "fostering-review-2021": 7,
    }
    assert " * ilacs-2022" in out


def test_validate_and_import(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "plan", "validate", str(SMALL))
    assert status == 0
    assert "OK: Testshire County Council, 1 plans, 2 recommendations" in out
    status, out, _ = run(capsys, "plan", "import", str(SMALL))
    assert status == 0
    assert "1 plans created" in out
    status, out, _ = run(capsys, "plan", "import", str(SMALL))
    assert status == 0
    assert "no changes" in out


def test_broken_file_refused_with_line(
    cli_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("due: 2023-12-31", "due: 31/12/2023"))
    line = next(i for i, ln in enumerate(bad.read_text().splitlines(), 1) if "31/12/2023" in ln)
    before = run(capsys, "plan", "list")[1]
    status, _, err = run(capsys, "plan", "import", str(bad))
    assert status == 1
    assert f"{bad}:{line}: plans.recommendations.actions.due: " in err
    assert "refused: nothing was written" in err
    assert run(capsys, "plan", "list")[1] == before
    assert run(capsys, "plan", "validate", str(bad))[0] == 1


def test_export_formats(cli_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run(capsys, "plan", "export")
    assert status == 0
    assert out.startswith("council: Surrey County Council")
    status, out, _ = run(capsys, "plan", "export", "--format", "csv")
    assert status == 0
    assert out.splitlines()[0].startswith("plan,recommendation,")
    status, out, _ = run(
        capsys, "plan", "export", "--format", "xlsx", "--out", str(tmp_path / "p.xlsx")
    )
    assert status == 0
    assert (tmp_path / "p.xlsx").stat().st_size > 1000
    status, _, _ = run(capsys, "plan", "export", "--out", str(tmp_path / "p.yaml"))
    assert status == 0
    status, out, _ = run(capsys, "plan", "import", str(tmp_path / "p.yaml"))
    assert "no changes" in out


def test_owners_set_and_list(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "owners", "set", "dir-corporate-parenting", "U0CP")
    assert status == 0
    assert "Director Corporate Parenting is now held by U0CP" in out
    status, out, _ = run(capsys, "owners", "set", "Director Corporate Parenting", "U0CP2")
    assert status == 0
    status, out, _ = run(capsys, "owners", "list")
    line = next(ln for ln in out.splitlines() if ln.startswith("dir-corporate-parenting"))
    assert "U0CP2" in line
    status, _, err = run(capsys, "owners", "set", "chief-nobody", "U1")
    assert status == 1
    assert "no post 'chief-nobody'" in err


def test_db_commands(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0
    status, out, _ = run(capsys, "db", "current")
    assert status == 0
    match = re.match(r"current (\w+), head (\w+)", out)
    assert match is not None
    assert match[1] == match[2]


def test_owners_cover(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "owners", "cover", "dir-corporate-parenting", "U0COVER", "2030-09-01", "2030-09-30"
    )
    assert status == 0
    assert "U0COVER covers dir-corporate-parenting from 1 Sep 2030 to 30 Sep 2030" in out
    assert "cover: dir-corporate-parenting by U0COVER" in run(capsys, "owners", "list")[1]
    status, _, err = run(
        capsys, "owners", "cover", "dir-corporate-parenting", "U0COVER", "2030-09-30", "2030-09-01"
    )
    assert status == 1 and "ends before it starts" in err
    assert run(capsys, "owners", "cover", "nobody", "U1", "2030-01-01", "2030-01-02")[0] == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["owners", "set", "dir-corporate-parenting", "sam"],
        ["owners", "set", "dir-corporate-parenting", "u0cp"],
        ["owners", "set", "dir-corporate-parenting", "<@U0CP>"],
        ["owners", "set", "dir-corporate-parenting", "C0CHANNEL"],
        ["owners", "cover", "dir-corporate-parenting", "sam", "2030-09-01", "2030-09-30"],
    ],
)
def test_owners_need_a_slack_member_id(
    cli_env: str, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    before = run(capsys, "owners", "list")[1]
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.strip().splitlines() == [
        f"ofsted-bot: {argv[3]!r} is not a Slack member id: give one like U0123ABCD (in Slack, "
        "the person's profile → ⋯ → Copy member ID), or @name"
    ]
    assert run(capsys, "owners", "list")[1] == before  # nothing changed


def test_owners_take_user_and_enterprise_ids(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "owners", "set", "dir-corporate-parenting", "W0123ABCD")[0] == 0
    assert run(capsys, "owners", "set", "dir-corporate-parenting", "U0123ABCD")[0] == 0


def test_importing_another_council_keeps_the_current_plan(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stockton = str(ROOT / "plans" / "stockton.yaml")
    assert " * ilacs-2022" in run(capsys, "plan", "list")[1]  # Surrey, loaded on first use
    status, out, _ = run(capsys, "plan", "import", stockton)
    assert status == 0
    assert "the file marks ilacs-2019 current; the current plan stays ilacs-2022" in out
    assert out.splitlines()[-1] == "current plan: ilacs-2022"
    listed = run(capsys, "plan", "list")[1]
    assert " * ilacs-2022" in listed and "   ilacs-2019" in listed
    status, out, _ = run(capsys, "plan", "import", stockton, "--current")
    assert status == 0
    assert "1 plans changed" in out or "2 plans changed" in out
    assert out.splitlines()[-1] == "current plan: ilacs-2019"
    listed = run(capsys, "plan", "list")[1]
    assert " * ilacs-2019" in listed and "   ilacs-2022" in listed


def test_import_current_needs_a_plan_to_make_current(
    cli_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import yaml

    data = yaml.safe_load(SMALL.read_text())
    del data["plans"][0]["current"]
    data["boards"] = []
    one = tmp_path / "one.yaml"
    one.write_text(yaml.safe_dump(data))
    second = {**data["plans"][0], "key": "ilacs-2024"}
    two = tmp_path / "two.yaml"
    two.write_text(yaml.safe_dump({**data, "plans": [data["plans"][0], second]}))
    before = run(capsys, "plan", "list")[1]
    status, out, err = run(capsys, "plan", "import", str(two), "--current")
    assert status == 1 and out == ""
    assert "marks no plan `current: true`" in err and "nothing was written" in err
    assert run(capsys, "plan", "list")[1] == before
    status, out, _ = run(capsys, "plan", "import", str(one))
    assert status == 0 and out.splitlines()[-1] == "current plan: ilacs-2022"
    status, out, _ = run(capsys, "plan", "import", str(one), "--current")
    assert status == 0 and out.splitlines()[-1] == "current plan: ilacs-2023"


# --- spreadsheets -------------------------------------------------------------------------------


def test_sheet_dry_run_then_import(
    cli_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "plan.xlsx"
    assert run(capsys, "plan", "export", "--format", "xlsx", "--out", str(out))[0] == 0
    book = load_workbook(out)
    sheet = book["Actions"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("due") + 1).value = "30/06/2031 "
    sheet.cell(row=3, column=header.index("title") + 1).value = "Renamed"
    book.save(tmp_path / "edited.xlsx")
    edited = str(tmp_path / "edited.xlsx")
    before = run(capsys, "plan", "export")[1]
    status, out_text, _ = run(capsys, "plan", "import", edited, "--dry-run")
    assert status == 0
    lines = out_text.splitlines()
    assert lines[:2] == [
        f"{edited}: dry run, nothing was written:",
        "  changed  ilacs-2022 1.1 due: 2023-03-31 → 2031-06-30",
    ]
    assert lines[2].startswith("  changed  ilacs-2022 1.2 title: ") and lines[2].endswith(
        "→ Renamed"
    )
    assert lines[3:] == [
        "  unchanged: 15 actions",
        f"(to apply: ofsted-bot plan import {edited} --by YOUR_SLACK_MEMBER_ID)",
    ]
    assert run(capsys, "plan", "export")[1] == before
    status, _, err = run(capsys, "plan", "import", edited)
    assert status == 2 and "--by U0123ABCD" in err
    status, _, err = run(capsys, "plan", "import", edited, "--by", "jane")
    assert status == 2 and "'jane' is not a Slack member id" in err
    assert run(capsys, "plan", "export")[1] == before
    status, out_text, _ = run(capsys, "plan", "import", edited, "--by", "U0ADMIN")
    assert status == 0 and out_text.startswith(f"{edited}: imported:")
    assert "due: 2031-06-30" in run(capsys, "plan", "export")[1]
    status, out_text, _ = run(capsys, "plan", "import", edited, "--dry-run")
    assert out_text.splitlines()[1:] == ["  unchanged: 17 actions"]


def test_sheet_with_a_bad_cell_is_refused(
    cli_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "plan", "export", "--format", "csv", "--out", "plan.csv")[0] == 0
    text = (tmp_path / "plan.csv").read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        text.replace(",2023-03-31,", ",31/02/2023,", 1).replace("at risk", "finished", 1)
    )
    before = run(capsys, "plan", "export")[1]
    status, out_text, err = run(capsys, "plan", "import", str(bad), "--by", "U0ADMIN")
    assert status == 1 and out_text == ""
    assert err.splitlines() == [
        f"{bad}: Actions row 2, column I (due): '31/02/2023' is not a date in the calendar",
        f"{bad}: Actions row 3, column K (status): 'finished' is not a status (one of: not "
        "started, on track, at risk, off track, complete, signed off)",
        f"{bad}: refused: nothing was written",
    ]
    assert run(capsys, "plan", "export")[1] == before


def test_export_council_matching_nothing(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out_text, err = run(capsys, "plan", "export", "--council", "Stockton")
    assert (status, out_text) == (2, "")
    assert err.splitlines() == [
        "ofsted-bot: --council: no plans for a council 'Stockton' here "
        "(councils: Surrey County Council)"
    ]
    assert run(capsys, "plan", "import", str(ROOT / "plans" / "stockton.yaml"))[0] == 0
    status, out_text, _ = run(capsys, "plan", "export", "--council", "stockton")
    assert status == 0 and out_text.startswith("council: Stockton-on-Tees Borough Council")
    status, _, err = run(capsys, "plan", "export", "--council", "council", "--format", "csv")
    assert status == 2 and "matches several councils" in err


def test_template_commands(
    cli_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    status, out_text, _ = run(capsys, "plan", "template")
    assert status == 0 and out_text.startswith("wrote plan-template.xlsx")
    assert load_workbook(tmp_path / "plan-template.xlsx").sheetnames == [
        "Read me",
        "Plans",
        "Actions",
    ]
    assert run(capsys, "plan", "template", "--format", "csv")[0] == 0
    header = (tmp_path / "plan-template.csv").read_text().splitlines()
    assert header == [run(capsys, "plan", "export", "--format", "csv")[1].splitlines()[0]]
    status, out_text, _ = run(capsys, "plan", "import", "plan-template.csv", "--dry-run")
    assert status == 0 and out_text.splitlines()[1:] == ["  unchanged: 0 actions"]
