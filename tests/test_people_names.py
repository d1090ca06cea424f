"""People by their names: users.info as Slack answers it, kept a while; Slack's
own mention rendering where it cannot ping (private answers), names where it would (a shared
answer, the board's channel, the board paper); due dates as `<!date^…>` for each reader."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pytest
from conftest import FIXTURES, bot_settings
from openpyxl import load_workbook
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slackdriver import Driver

from bot.app import make_client
from bot.devtools.fakeslack import FakeSlack
from bot.outbox import tick
from db.database import Database

pytestmark = pytest.mark.one_database  # what Slack sees, not SQL (tests/conftest.py)

LONDON_NOON_30_SEP_2023 = int(datetime(2023, 9, 30, 11, 0, tzinfo=UTC).timestamp())


def test_users_info_and_users_list_as_slack_answers_them(fake_slack: FakeSlack) -> None:
    from jobs.people import member_of

    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url)
    fake_slack.add_user("U0CP", "Cara Jones", display_name="")  # no display name set
    fake_slack.add_user("U0FRS", "Francis Ray Smith", display_name="Fran")
    fake_slack.add_user("U0GONE", "Gone Person", deleted=True)
    cara = client.users_info(user="U0CP")["user"]
    assert cara["profile"]["display_name"] == "" and cara["profile"]["real_name"] == "Cara Jones"
    gone = client.users_info(user="U0GONE")["user"]  # a deactivated member is still answered
    assert gone["deleted"] is True and "tz" not in gone
    with pytest.raises(SlackApiError) as refused:
        client.users_info(user="U0NEVER")
    assert refused.value.response["error"] == "user_not_found"
    seen, cursor, pages = [], None, 0
    while True:
        page = client.users_list(limit=2, cursor=cursor)
        seen += [m["id"] for m in page["members"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 2 and sorted(seen) == ["U0CP", "U0FRS", "U0GONE", "UBOT"]
    # the shape matches Slack's own users.info answer (fixture)
    real = json.loads((FIXTURES / "slack" / "users_info.json").read_text())["user"]
    assert set(real) >= set(cara) - {"team_id"} and set(real["profile"]) >= {"display_name"}
    assert member_of(real).name == "spengler"  # display name first
    assert member_of(real | {"profile": {**real["profile"], "display_name": ""}}).name == (
        "Egon Spengler"
    )


def test_the_directory_caches_names_for_a_while_and_says_who_left(fake_slack: FakeSlack) -> None:
    from jobs.people import Directory

    now = [0.0]
    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url)
    people = Directory(client, ttl=60, size=2, timer=lambda: now[0])
    fake_slack.add_user("U0CP", "Cara Jones", display_name="")
    fake_slack.add_user("U0FRS", "Francis Ray Smith", display_name="Fran")
    fake_slack.add_user("U0GONE", "Gone Person", deleted=True)
    assert people.names(["U0CP", "U0FRS", "U0CP", "U0NEVER"]) == {
        "U0CP": "Cara Jones",
        "U0FRS": "Fran",
    }
    asked = len(fake_slack.calls_to("users.info"))
    assert asked == 3
    assert people.name("U0FRS") == "Fran" and len(fake_slack.calls_to("users.info")) == asked
    now[0] = 61.0  # expired: asked again
    assert people.name("U0FRS") == "Fran" and len(fake_slack.calls_to("users.info")) == asked + 1
    assert people.name("U0GONE") == "Gone Person (deactivated)"
    assert len(people._cache) <= 2  # bounded
    fake_slack.fail_next("users.info", status=500)
    assert people.name("U0NEW") is None  # Slack did not answer: not kept
    fake_slack.add_user("U0NEW", "New Person")
    assert people.name("U0NEW") == "New Person"
    assert [m.user_id for m in people.find("@fran")] == ["U0FRS"]
    assert [m.user_id for m in people.find("cara jones")] == ["U0CP"]
    assert people.find("gone person") == []  # deactivated: not someone to give a post to


def test_owner_header_names_the_person(slack: Driver) -> None:
    slack.fake.add_user("U0CP", "Cara Jones", display_name="Cara")
    answer = slack.command("owner <@U0CP|cara>")
    header = answer.message["blocks"][0]["text"]["text"]
    assert header == "Actions owned by Cara"
    slack.command("owner <@U0CP|cara>")
    assert len(slack.fake.calls_to("users.info")) == 1  # kept, not asked again
    # owners in a private answer: Slack renders the mention as their name, pinging nobody
    assert "<@U0CP>" in answer.text
    unknown = slack.command("owner <@U0NOBODY|nobody>")
    assert unknown.message["blocks"][0]["text"]["text"] == "Actions owned by nobody"


def test_a_shared_answer_names_people_instead_of_pinging_them(slack: Driver) -> None:
    slack.fake.add_user("U0CP", "Cara Jones", display_name="")
    private = slack.command("action 4.1")
    assert "<@U0CP>" in private.text
    slack.command("action 4.1 share")
    posted = slack.fake.calls_to("chat.postMessage")[-1].args
    blocks = json.dumps(posted["blocks"])
    assert "Owner: Cara Jones" in blocks
    assert not re.search(r"<@U0CP", blocks)  # a mention in a channel would notify her


def test_due_dates_are_shown_in_each_readers_locale(slack: Driver) -> None:
    answer = slack.command("action 4.1")  # due 30 Sep 2023
    assert f"due <!date^{LONDON_NOON_30_SEP_2023}^{{date_short}}|30 Sep 2023>" in answer.text
    history = slack.command("board")  # meeting times too
    assert "<!date^" in history.text and "{time}|" in history.text


def test_the_board_channel_and_paper_name_owners(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    people = [("U0CP", "Cara Jones"), ("U0DCS", "Dee Cee"), ("U0FRS", "Fran Smith")]
    for user, name in [*people, ("U0SPM", "Sam Pim")]:
        fake_slack.add_user(user, name, display_name="")
    settings = bot_settings(database_url, fake_slack, send_interval=0.0)
    client = make_client(settings)
    london = settings.tz
    tick(staffed_db, client, settings, datetime(2022, 10, 10, 9, 0, tzinfo=london))
    channel = fake_slack.channel("#achieving-excellence")
    assert channel is not None
    thread = [
        c.args
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args.get("channel") in (channel["id"], "#achieving-excellence")
        and c.args.get("thread_ts")
    ]
    details = json.dumps(thread[0]["blocks"])
    assert "Director Corporate Parenting (Cara Jones)" in details
    assert "<@U0" not in details and "Sign off" not in details  # the channel: nobody pinged
    book = load_workbook(io.BytesIO(fake_slack.file_content("aeb-2022-10-12-board-paper.xlsx")))
    rows = list(book["Actions"].iter_rows(values_only=True))
    owner = rows[0].index("owner")
    assert {r[owner] for r in rows[1:]} >= {"Cara Jones", "Dee Cee"}
    assert not any(str(r[owner]).startswith("U0") for r in rows[1:] if r[owner])
