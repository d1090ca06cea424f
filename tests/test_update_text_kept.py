"""An update's text is kept whole: a trailing word that would share a lookup is part of it."""

from __future__ import annotations

from slackdriver import Driver
from sqlalchemy import select

from db.database import Database
from db.models import Action, Update


def test_a_trailing_share_is_part_of_the_update(slack: Driver, staffed_db: Database) -> None:
    logged = slack.command("update 4.2 amber findings we will share", user="U0CP")
    assert "Logged for *4.2*" in logged.text
    assert logged.message["response_type"] == "ephemeral"
    with staffed_db.sessions() as session:
        texts = list(session.scalars(select(Update.text).join(Action).where(Action.ref == "4.2")))
    assert texts[-1].endswith("findings we will share")


def test_a_lookup_still_takes_share(slack: Driver) -> None:
    shared = slack.command("rec 4 share")
    in_channel = [
        c
        for c in shared.later
        if c.method == "chat.postMessage" or c.args.get("response_type") == "in_channel"
    ]
    assert in_channel, [c.method for c in shared.later]
