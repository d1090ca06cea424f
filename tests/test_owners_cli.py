"""`ofsted-bot owners …`: the same rules as the Slack form, `@name`
looked up in Slack, every change in the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_cli import cli_env, run

from bot.devtools.fakeslack import FakeSlack
from db.database import Database
from db.models import AuditEntry

__all__ = ["cli_env"]  # the fixture, shared with test_cli


@pytest.fixture
def cli(cli_env: str, monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack) -> str:
    """The command line (as in test_cli) with a bot token, against the fake Slack."""
    monkeypatch.setenv("SLACK_API_URL", fake_slack.base_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    return cli_env


def audit(url: str) -> list[tuple[str, dict[str, str]]]:
    database = Database.connect(url)
    try:
        with database.sessions() as session:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            return [(r.kind, r.detail) for r in rows if r.kind.startswith("post.")]
    finally:
        database.dispose()


def test_an_unknown_post_suggests_the_nearest(cli: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "owners", "set", "dir-corporate-parentng", "U0CP")
    assert status == 1
    assert "no post 'dir-corporate-parentng': did you mean dir-corporate-parenting" in err


def test_at_name_is_looked_up_in_slack(
    cli: str, capsys: pytest.CaptureFixture[str], fake_slack: FakeSlack
) -> None:
    for n in range(250):  # more than one page of users.list
        fake_slack.add_user(f"U{n:04d}X", f"Person {n}")
    fake_slack.add_user("U0JANE", "Jane Smith", display_name="")
    fake_slack.add_user("U0JANE2", "Jane Smithson", display_name="")
    status, out, _ = run(capsys, "owners", "set", "dir-corporate-parenting", "@Jane Smith")
    assert status == 0 and "held by Jane Smith (U0JANE)" in out
    assert len(fake_slack.calls_to("users.list")) == 2
    assert "Jane Smith (U0JANE)" in run(capsys, "owners", "list")[1]
    status, _, err = run(capsys, "owners", "set", "dir-corporate-parenting", "@jane")
    assert status == 2 and "matches 2 people" in err and "U0JANE2" in err
    status, _, err = run(capsys, "owners", "set", "dir-corporate-parenting", "@nobody")
    assert status == 2 and "matches 0 people" in err


def test_overlapping_covers_are_refused_and_a_cover_ends_early(
    cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    post = "dir-corporate-parenting"
    assert run(capsys, "owners", "cover", post, "U0SAM", "2030-09-01", "2030-09-30")[0] == 0
    status, out, err = run(capsys, "owners", "cover", post, "U0KIM", "2030-09-20", "2030-10-10")
    assert status == 1 and out == ""
    assert "clashes with U0SAM covering dir-corporate-parenting from 1 Sep 2030 to 30 Sep" in err
    assert run(capsys, "owners", "cover", post, "U0KIM", "2030-10-01", "2030-10-10")[0] == 0
    status, out, _ = run(capsys, "owners", "end-cover", post, "--last-day", "2030-09-15")
    assert status == 0 and "by U0SAM ends on 15 Sep 2030" in out
    assert run(capsys, "owners", "cover", post, "U0KIM", "2030-09-20", "2030-09-25")[0] == 0
    status, out, _ = run(capsys, "owners", "end-cover", post, "--last-day", "2030-09-16")
    assert status == 0 and "by U0KIM cancelled" in out  # had not started: removed
    status, _, err = run(capsys, "owners", "end-cover", post, "--last-day", "2030-12-01")
    assert status == 1 and "no cover of dir-corporate-parenting runs past" in err
    listed = run(capsys, "owners", "list")[1]
    assert "by U0SAM from 2030-09-01 to 2030-09-15" in listed
    assert "by U0KIM from 2030-10-01 to 2030-10-10" in listed
    kinds = [kind for kind, _ in audit(cli)]
    assert kinds == [
        "post.cover_added",
        "post.cover_added",
        "post.cover_ended",
        "post.cover_added",
        "post.cover_cancelled",
    ]


def test_removing_a_holder_is_audited(cli: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "owners", "set", "dir-corporate-parenting", "U0CP")[0] == 0
    status, out, _ = run(capsys, "owners", "unset", "dir-corporate-parenting")
    assert status == 0 and "Nobody holds Director Corporate Parenting now (it was U0CP)" in out
    line = next(
        ln for ln in run(capsys, "owners", "list")[1].splitlines() if ln.startswith("dir-corp")
    )
    assert "(nobody" in line
    entries = audit(cli)
    assert [k for k, _ in entries] == ["post.holder_set", "post.holder_removed"]
    assert entries[1][1]["before"] == "U0CP" and entries[1][1]["by"].startswith("command line")
