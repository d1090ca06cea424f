"""App Home: everyone sees their own actions; the admins named in the settings (ADMINS) also
see the current plan's RAG per recommendation, whether or not they own anything."""

from __future__ import annotations

import json
import re

from slackdriver import Driver

from db.database import Database


def home_of(slack: Driver, user: str) -> str:
    slack.event("app_home_opened.json", user=user)
    published = slack.fake.calls_to("views.publish")[-1].args
    assert published["user_id"] == user
    return json.dumps(published["view"], ensure_ascii=False)


def test_an_admin_sees_the_plan_at_a_glance(slack: Driver, staffed_db: Database) -> None:
    # the admin is a person the bot knows (they logged an update on the owner's behalf)
    assert "Logged" in slack.command("update 4.1 amber: panel short", user="U0ADMIN").text
    admin = home_of(slack, "U0ADMIN")
    assert "My actions" in admin and "You don't hold or cover a post" in admin
    assert "The plan at a glance: ilacs-2022" in admin
    for number in range(1, 7):  # every recommendation of the current plan, with its RAG
        assert f"*{number}*" in admin
    assert re.search(r"🟠 ?1\b", admin)  # 4.1's amber is counted


def test_an_owner_who_is_not_an_admin_sees_only_their_actions(
    slack: Driver, staffed_db: Database
) -> None:
    owner = home_of(slack, "U0CP")
    assert "My actions" in owner and "*4.1*" in owner and "ofsted_update:" in owner
    assert "at a glance" not in owner


def test_the_messages_tab_publishes_nothing(slack: Driver, staffed_db: Database) -> None:
    answer = slack.event("app_home_opened.json", user="U0ADMIN", tab="messages")
    assert answer.status == 200
    assert slack.fake.calls_to("views.publish") == []
