"""An admin sends a published report to the bot in a DM: the draft, and its import.

Driven by signed Events API and interactivity requests against the fake Web API, which serves
shared files as Slack does (bearer token required, else its sign-in page).
"""

from __future__ import annotations

import urllib.request

import pytest
from sqlalchemy import select

from bot.listeners.reports import MAX_BYTES, FetchError, fetch
from db.database import Database
from db.models import Plan, Recommendation
from db.planfile import parse_plan_file
from tests.slackdriver import Answer, Driver
from tests.test_plan_draft_cli import text_pdf
from tests.test_report_drafts import REPORTS_DIR

SUTTON = REPORTS_DIR / "sutton-2022-02-01.pdf"


def send_pdf(
    slack: Driver, name: str, content: bytes, *, user: str = "U0ADMIN", **extra: object
) -> Answer:
    file = slack.fake.share_file(name, content, user=user, mimetype="application/pdf")
    file.update(extra)
    return slack.event(
        "message_file_share_dm.json", user=user, channel="D" + user.removeprefix("U"), files=[file]
    )


def posted(slack: Driver, channel: str) -> list[str]:
    return [str(m.get("text", "")) for m in slack.fake.messages(channel)]


def test_an_admin_gets_the_draft_as_a_file_and_a_summary(slack: Driver) -> None:
    answer = send_pdf(slack, "sutton-2022-02-01.pdf", SUTTON.read_bytes())
    assert answer.status == 200
    spec = parse_plan_file("draft.yaml", slack.fake.file_content("sutton-2022-02-01.yaml").decode())
    assert spec.council == "Sutton" and len(spec.plans[0].recommendations) == 2
    message = answer.message
    shown = answer.text
    assert "Draft plan: Sutton" in shown
    assert "Inspected 6 December 2021 to 10 December 2021" in shown
    assert "Brenda McLaughlin" in shown and "Outstanding" in shown
    assert (
        "The quality of practice and earlier planning to meet the needs of care leavers." in shown
    )
    assert [b["text"]["text"] for b in answer.buttons()] == [
        "Import as a new plan",
        "Import and make it current",
    ]
    assert message["channel"] == "D0ADMIN"


@pytest.mark.parametrize("current", [False, True])
def test_import_as_a_new_plan_makes_it_current_only_on_request(
    slack: Driver, staffed_db: Database, current: bool
) -> None:
    answer = send_pdf(slack, "sutton-2022-02-01.pdf", SUTTON.read_bytes())
    label = "Import and make it current" if current else "Import as a new plan"
    done = slack.press(answer.button(label), user="U0ADMIN", channel="D0ADMIN")
    assert "Imported" in done.text
    with staffed_db.sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.key == "ilacs-2021")).one()
        assert plan.council == "Sutton" and plan.is_current is current
        surrey = session.scalars(select(Plan).where(Plan.key == "ilacs-2022")).one()
        assert surrey.is_current is not current
        recs = session.scalars(
            select(Recommendation).where(Recommendation.plan_id == plan.id)
        ).all()
        assert len(recs) == 2 and not any(r.number_printed for r in recs)


def test_someone_not_an_admin_is_told_and_nothing_is_drafted(slack: Driver) -> None:
    send_pdf(slack, "sutton-2022-02-01.pdf", SUTTON.read_bytes(), user="U0CP")
    assert slack.fake.calls_to("files.getUploadURLExternal") == []
    assert any("Only an admin" in text for text in posted(slack, "D0CP"))


def test_someone_not_an_admin_cannot_press_import(slack: Driver, staffed_db: Database) -> None:
    answer = send_pdf(slack, "sutton-2022-02-01.pdf", SUTTON.read_bytes())
    refused = slack.press(answer.button("Import as a new plan"), user="U0CP", channel="D0ADMIN")
    assert "Only an admin can import a plan." in refused.text
    with staffed_db.sessions() as session:
        assert session.scalars(select(Plan).where(Plan.key == "ilacs-2021")).first() is None


def test_a_pdf_that_is_not_a_report_gets_one_clear_line(slack: Driver) -> None:
    send_pdf(slack, "menu.pdf", text_pdf("Lunch menu for the week\n" * 20))
    assert slack.fake.calls_to("files.getUploadURLExternal") == []
    said = posted(slack, "D0ADMIN")
    assert said == ["menu.pdf: not an Ofsted report on children's services"]


def test_a_file_over_the_limit_is_refused_before_it_is_fetched(slack: Driver) -> None:
    send_pdf(slack, "huge.pdf", b"%PDF-1.4\n", size=MAX_BYTES + 1)
    said = posted(slack, "D0ADMIN")
    assert len(said) == 1 and "over 20 MB" in said[0]
    assert slack.fake.calls_to("files.getUploadURLExternal") == []


def test_the_fake_serves_files_only_with_the_bot_token(slack: Driver) -> None:
    file = slack.fake.share_file(
        "r.pdf", b"%PDF-1.4 test", user="U0ADMIN", mimetype="application/pdf"
    )
    url = file["url_private_download"]
    assert fetch(url, "xoxb-test") == b"%PDF-1.4 test"
    with urllib.request.urlopen(url) as page:
        assert page.headers["Content-Type"].startswith("text/html")
        assert b"Sign in" in page.read()
        assert "/signin" in page.url
    with pytest.raises(FetchError, match="sign-in page"):
        fetch(url, "not-a-token")
