"""`/ofsted` lookups through the Bolt app, as Slack sends them, on both databases."""

from __future__ import annotations

import json

import pytest
from slackdriver import Driver

REC_2022_4 = "The sufficiency of suitable accommodation for young people, including care leavers."
REC_2022_2 = (
    "Partnership work to secure support for children and young people's mental health "
    "and well-being."
)


def test_rec_shows_the_recommendation_and_its_actions(slack: Driver) -> None:
    answer = slack.command("rec 4")
    assert answer.status == 200
    message = answer.message
    assert message["response_type"] == "ephemeral"
    assert message["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Recommendation 4"},
    }
    text = answer.text
    assert REC_2022_4 in text
    assert "Ofsted inspection of Surrey children's services (ILACS)" in text
    assert "published 9 Mar 2022" in text
    assert "para 10" in text
    assert "*4.1*" in text and "*4.2*" in text
    assert "<@U0CP>" in text and "Director Corporate Parenting" in text
    assert "🟠 Amber" in text or "🟢 Green" in text or "🔴 Red" in text
    labels = [b["text"]["text"] for b in answer.buttons()]
    assert "Share in channel" in labels and "History" in labels
    assert "Update" not in labels  # a practitioner does not own these actions


def test_owner_sees_update_buttons(slack: Driver) -> None:
    labels = [b["text"]["text"] for b in slack.command("rec 4", user="U0CP").buttons()]
    assert "Update" in labels


def test_bare_number_is_rec(slack: Driver) -> None:
    assert slack.command("4").message["blocks"] == slack.command("rec 4").message["blocks"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rec 2018 4", "Improve the quality of management oversight"),
        ("rec ilacs-2018 4", "Improve the quality of management oversight"),
        ("rec 4 2018", "Improve the quality of management oversight"),
        ("rec cwd b", "Recommendation b"),
        ("rec cwd B", "Recommendation b"),
        ("rec fostering g", "Recommendation g"),
        ("rec commissioner 10", "Recommendation 10"),
        ("rec commissioner-2018 1", "Recommendation 1"),
        ("recommendation 2", REC_2022_2),
    ],
)
def test_plan_words_years_and_letters(slack: Driver, text: str, expected: str) -> None:
    answer = slack.command(text)
    assert expected in answer.text, answer.text[:500]


def test_ambiguous_plan_offers_the_choices(slack: Driver) -> None:
    answer = slack.command("rec 2021 a")
    assert "could mean" in answer.text
    labels = [b["text"]["text"] for b in answer.buttons()]
    assert "/ofsted rec cwd-review-2021 a" in labels
    assert "/ofsted rec fostering-review-2021 a" in labels
    chosen = slack.press(answer.button("/ofsted rec cwd-review-2021 a"))
    assert "Recommendation a" in chosen.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rec 9", "its recommendations are 1–6"),
        ("rec 2018 19", "its recommendations are 1–18"),
        ("rec cwd z", "its recommendations are a–h"),
        ("rec 0", "its recommendations are 1–6"),
        ("rec", "Which recommendation?"),
        ("rec hogwarts 4", "No plan is called “hogwarts”"),
        ("rec 4.2", "looks like an action"),
        ("rec four", "is not a recommendation number"),
    ],
)
def test_out_of_range_and_mistakes(slack: Driver, text: str, expected: str) -> None:
    answer = slack.command(text)
    assert answer.status == 200
    assert answer.message["response_type"] == "ephemeral"
    assert expected in answer.text


def test_action(slack: Driver) -> None:
    answer = slack.command("action 4.1")
    assert "Action 4.1" in answer.text and "Director Corporate Parenting" in answer.text
    assert slack.command("4.1").message["blocks"] == answer.message["blocks"]
    missing = slack.command("action 9.9")
    assert "There is no action 9.9 in `ilacs-2022`" in missing.text
    assert "1.1" in missing.text


def test_search_ranks_by_relevance(slack: Driver) -> None:
    answer = slack.command("search mental health")
    sections = [b for b in answer.message["blocks"] if b["type"] == "section"]
    assert REC_2022_2 in sections[0]["text"]["text"]
    supervision = slack.command("search supervision").message["blocks"]
    first = next(b for b in supervision if b["type"] == "section")
    assert "The quality and impact of supervision" in first["text"]["text"]
    assert "Supervising SWs" in json.dumps(supervision)  # word forms: supervising
    typo = slack.command("search supervison")
    assert "close matches" in typo.text and "supervision" in typo.text
    nothing = slack.command("search zzyzx")
    assert "Nothing in the plans matches" in nothing.text


def test_mine(slack: Driver) -> None:
    mine = slack.command("mine", user="U0CP")
    assert "Your actions" in mine.text and "*4.1*" in mine.text
    stranger = slack.command("mine", user="U0STRANGER")
    assert "You don't hold or cover a post" in stranger.text
    assert "U0STRANGER" in stranger.text


def test_owner(slack: Driver) -> None:
    slack.fake.add_user("U0CP", "Cara Jones")
    by_person = slack.command("owner <@U0CP|cara>")
    assert "Actions owned by Cara Jones" in by_person.text and "*4.1*" in by_person.text
    by_post = slack.command("owner corporate parenting")
    assert "Director Corporate Parenting" in by_post.text and "*4.1*" in by_post.text
    assert "matches" in slack.command("owner director").text  # several posts: which one?
    assert "No post matches" in slack.command("owner wizard").text
    assert "Pick the person" in slack.command("owner @cara").text


def test_overdue(slack: Driver) -> None:
    answer = slack.command("overdue")
    assert "Overdue actions · ilacs-2022" in answer.text
    assert "overdue" in answer.text


def test_board(slack: Driver) -> None:
    answer = slack.command("board")
    assert "Achieving Excellence Board" in answer.text
    assert "every 6 weeks" in answer.text
    assert "Owner nudges" in answer.text and "digest to the secretary" in answer.text
    assert "Ofsted Priority Action Board" in slack.command("board opab").text
    assert "No board is called" in slack.command("board quidditch").text


def test_plans_and_help(slack: Driver) -> None:
    plans = slack.command("plans").text
    for key in (
        "ilacs-2022",
        "ilacs-2018",
        "commissioner-2018",
        "monitoring-2021",
        "cwd-review-2021",
        "fostering-review-2021",
    ):
        assert key in plans
    empty = slack.command("")
    assert "/ofsted rec [PLAN] N" in empty.text
    assert "not children" in empty.text
    assert "/ofsted search WORDS" in slack.command("help search").text
    rag = slack.command("help rag").text
    assert "🟢" in rag and "🟠" in rag and "🔴" in rag


def test_unknown_verb_suggests_the_nearest(slack: Driver) -> None:
    answer = slack.command("nonsense")
    assert answer.status == 200 and answer.message["response_type"] == "ephemeral"
    assert "I don't know “nonsense”" in answer.text
    assert "`search`" in slack.command("serch supervision").text
    assert "`overdue`" in slack.command("overdeu").text


def mrkdwn_texts(node: object) -> list[str]:
    """Every string Slack parses for mentions: mrkdwn text objects and the fallback text."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            found.append(node["text"])
        for key, value in node.items():
            if key == "text" and isinstance(value, str) and "response_type" in node:
                found.append(value)
            else:
                found += mrkdwn_texts(value)
    elif isinstance(node, list):
        for item in node:
            found += mrkdwn_texts(item)
    return found


@pytest.mark.parametrize(
    "text",
    [
        "search <!channel> <@U0CP> <!here|here>",
        "<!everyone> hello",
        "owner <!channel>",
        "search <https://evil.example|click me>",
        "rec <!subteam^S123> 4",
    ],
)
def test_echoed_text_cannot_ping(slack: Driver, text: str) -> None:
    shown = " ".join(mrkdwn_texts(slack.command(text).message))
    for ping in ("<!channel>", "<!everyone>", "<!here", "<@U0CP", "<https://evil", "<!subteam"):
        assert ping not in shown
    assert "&lt;" in shown  # shown as typed, escaped


def test_internal_errors_are_quoted_by_id(
    slack: Driver, staffed_db: object, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy import text

    from db.database import Database

    assert isinstance(staffed_db, Database)
    with staffed_db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE action_update RENAME TO action_update_gone"))
    answer = slack.command("rec 4")
    assert answer.status == 200
    assert "something went wrong" in answer.text
    error_id = answer.text.split("error id `")[1][:8]
    assert any(error_id in record.getMessage() for record in caplog.records)
    assert "Traceback" not in answer.text


def test_cover_shows_who_stands_in(slack: Driver, staffed_db: object) -> None:
    from datetime import date

    from db.database import Database
    from db.models import Cover, Post
    from db.posts import get_or_create_person

    assert "covered today" not in slack.command("action 4.1").text
    assert isinstance(staffed_db, Database)
    with staffed_db.writes.begin() as session:
        post = session.query(Post).filter_by(key="dir-corporate-parenting").one()
        session.add(
            Cover(
                post=post,
                person=get_or_create_person(session, "U0COVER"),
                starts_on=date(2022, 9, 1),
                ends_on=date(2022, 9, 30),
            )
        )
    assert "covered today by <@U0COVER>" in slack.command("action 4.1").text
    assert "*4.1*" in slack.command("mine", user="U0COVER").text
