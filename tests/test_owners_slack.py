"""Posts managed from Slack: `/ofsted owners` and App Home open a
form with a people picker for the holder and date pickers for cover; covers never overlap; an
unknown post gets the nearest; every change is audited with who made it."""

from __future__ import annotations

import json
from typing import Any

from slackdriver import Driver
from sqlalchemy import select
from test_console import run

from bot.devtools.fakeslack import FakeSlack
from db.database import Database
from db.models import AuditEntry, Cover, Person, Post

ADMIN = "U0ADMIN"
POST = "dir-corporate-parenting"


def methods(answer: Any) -> list[str]:
    return [c.method for c in answer.later if c.method.startswith("views.")]


def picked(user: str) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user}


def day(text: str) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": text}


def yes() -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [{"value": "yes"}]}


def holder(db: Database, key: str = POST) -> str | None:
    with db.sessions() as session:
        post = session.scalar(select(Post).where(Post.key == key))
        assert post is not None
        person = session.get(Person, post.holder_id) if post.holder_id else None
        return person.slack_user_id if person else None


def audit(db: Database) -> list[tuple[str, str | None, dict[str, str]]]:
    with db.sessions() as session:
        rows = session.execute(
            select(AuditEntry.kind, Person.slack_user_id, AuditEntry.detail)
            .outerjoin(Person, Person.id == AuditEntry.actor_id)
            .where(AuditEntry.kind.like("post.%"))
            .order_by(AuditEntry.id)
        )
        return [(k, u, d) for k, u, d in rows]


def test_an_admins_command_opens_the_form_and_sets_a_holder(
    slack: Driver, staffed_db: Database
) -> None:
    answer = slack.command(f"owners {POST}", user=ADMIN)
    assert methods(answer) == ["views.open", "views.update"]
    form = slack.opened_view()
    kinds = {b["block_id"]: b["element"]["type"] for b in form["blocks"] if b["type"] == "input"}
    assert kinds["holder"] == "users_select" and kinds["cover_from"] == "datepicker"
    holder_input = next(b for b in form["blocks"] if b.get("block_id") == "holder")
    assert holder_input["element"]["initial_user"] == "U0CP"  # who holds it now
    done = slack.submit(form, {"holder": picked("U0NEW")}, user=ADMIN)
    assert done.body is not None and done.body["response_action"] == "update"
    assert "is now held by <@U0NEW>" in json.dumps(done.body["view"])
    assert holder(staffed_db) == "U0NEW"
    assert audit(staffed_db) == [
        ("post.holder_set", ADMIN, {"post": POST, "before": "U0CP", "after": "U0NEW"})
    ]


def test_others_get_the_list_and_no_form(slack: Driver) -> None:
    answer = slack.command("owners", user="U0PRACT")
    assert methods(answer) == []
    assert "Posts and who holds them" in answer.text and "<@U0CP>" in answer.text
    assert "Manage posts" not in answer.text and "Admins change who holds a post" in answer.text
    unknown = slack.command("owners dir-corporate-parentng", user="U0PRACT")
    assert "No post is called" in unknown.text and f"owners {POST}" in unknown.text
    assert "owners [POST]" in slack.command("help owners").text


def test_an_unknown_post_in_the_form_suggests_the_nearest(slack: Driver) -> None:
    slack.command("owners dir-corporate-parentng", user=ADMIN)
    notice = json.dumps(slack.opened_view())
    assert "No post 'dir-corporate-parentng': did you mean dir-corporate-parenting?\"" in notice


def test_covers_clash_end_early_and_a_holder_is_removed(
    slack: Driver, staffed_db: Database
) -> None:
    slack.fake.add_user("U0SAM", "Sam Cover", display_name="")
    slack.command(f"owners {POST}", user=ADMIN)
    form = slack.opened_view()
    cover = {
        "cover_by": picked("U0SAM"),
        "cover_from": day("2022-09-01"),
        "cover_to": day("2022-09-30"),
    }
    assert slack.submit(form, cover, user=ADMIN).body["response_action"] == "update"  # type: ignore[index]
    clash = {
        "cover_by": picked("U0KIM"),
        "cover_from": day("2022-09-20"),
        "cover_to": day("2022-10-05"),
    }
    refused = slack.submit(form, clash, user=ADMIN).body
    assert refused is not None and refused["response_action"] == "errors"
    assert (
        "clashes with Sam Cover (U0SAM) covering dir-corporate-parenting from 1 Sep 2022"
        in (refused["errors"]["cover_from"])
    )
    half = slack.submit(form, {"cover_by": picked("U0KIM")}, user=ADMIN).body
    assert half is not None and "first day" in half["errors"]["cover_from"]
    nothing = slack.submit(form, {}, user=ADMIN).body
    assert nothing is not None and "Nothing to change" in nothing["errors"]["holder"]
    ended = slack.submit(form, {"end_cover": yes()}, user=ADMIN).body  # today: Mon 5 Sep 2022
    assert ended is not None and "has ended" in json.dumps(ended["view"])
    with staffed_db.sessions() as session:
        covers = list(session.scalars(select(Cover)))
        assert [(c.starts_on.isoformat(), c.ends_on.isoformat()) for c in covers] == [
            ("2022-09-01", "2022-09-04")
        ]
    removed = slack.submit(form, {"remove": yes(), "holder": picked("U0CP")}, user=ADMIN).body
    assert removed is not None and "Nobody holds Director Corporate Parenting" in json.dumps(
        removed["view"]
    )
    assert holder(staffed_db) is None
    assert [(k, who) for k, who, _ in audit(staffed_db)] == [
        ("post.cover_added", ADMIN),
        ("post.cover_ended", ADMIN),
        ("post.holder_removed", ADMIN),
    ]
    stranger = slack.submit(form, {"holder": picked("U0X")}, user="U0PRACT").body
    assert stranger is not None and "Only admins" in stranger["errors"]["holder"]


def test_app_home_has_the_posts_for_admins(slack: Driver) -> None:
    slack.event("app_home_opened.json", user=ADMIN)
    home = json.dumps(slack.fake.calls_to("views.publish")[-1].args["view"])
    assert "Posts and who holds them" in home and "Manage posts" in home
    slack.event("app_home_opened.json", user="U0CP")
    assert "Manage posts" not in json.dumps(slack.fake.calls_to("views.publish")[-1].args["view"])
    view = slack.fake.calls_to("views.publish")[0].args["view"]
    manage = next(
        e
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Manage posts"
    )
    pressed = slack.press(manage, user=ADMIN)
    assert methods(pressed) == ["views.open", "views.update"]
    post_input = next(b for b in slack.opened_view()["blocks"] if b.get("block_id") == "post")
    assert post_input["element"]["type"] == "static_select"


def test_in_the_console_the_form_says_what_it_did(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    """A submission answered with `response_action: update` shows the new view (Slack replaces
    the form with it), not "the form closed"."""
    out = run(
        staffed_db,
        database_url,
        fake_slack,
        "/ofsted owners dir-corporate-parenting",
        ":fill cover_by U0SAM",
        ":fill cover_from 2022-09-12",
        ":fill cover_to 2022-09-16",
        ":submit",
        user=ADMIN,
    )
    assert "covers dir-corporate-parenting" in out and "audit trail" in out
    assert "the form closed" not in out


def test_ending_a_cover_that_has_not_begun_cancels_it(slack: Driver, staffed_db: Database) -> None:
    slack.command(f"owners {POST}", user=ADMIN)
    form = slack.opened_view()
    later = {
        "cover_by": picked("U0SAM"),
        "cover_from": day("2022-09-12"),
        "cover_to": day("2022-09-16"),
    }
    slack.submit(form, later, user=ADMIN)
    ended = slack.submit(form, {"end_cover": yes()}, user=ADMIN).body  # today: Mon 5 Sep 2022
    assert ended is not None and "is cancelled: it had not begun" in json.dumps(ended["view"])
    with staffed_db.sessions() as session:
        assert list(session.scalars(select(Cover))) == []
    assert [kind for kind, _, _ in audit(staffed_db)][-1] == "post.cover_cancelled"
