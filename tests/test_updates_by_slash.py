"""Updates by `/ofsted update`: evidence, sign-off, on behalf of an owner, cover; a replayed
request stored once; the whole text kept."""

from __future__ import annotations

from slackdriver import Driver, slash_body
from sqlalchemy import select
from test_updates import action_row, audit_entries, updates_of

from db.database import Database
from db.models import Action, AuditEntry, Update
from db.status import ActionStatus


def test_slash_update_evidence_and_signoff(slack: Driver, staffed_db: Database) -> None:
    logged = slack.command("update 4.2 amber recruitment of two team managers delayed", user="U0CP")
    assert logged.message["response_type"] == "ephemeral"
    assert "Logged for *4.2*" in logged.text
    no_evidence = slack.command("update 4.2 done", user="U0CP")
    assert "say what shows it is done" in no_evidence.text
    assert action_row(staffed_db, "4.2").status == ActionStatus.AT_RISK
    slack.command(
        "update 4.2 done: both managers started on 1 September, see HR report", user="U0CP"
    )
    assert action_row(staffed_db, "4.2").status == ActionStatus.COMPLETE
    assert "Sign off" not in [b["text"]["text"] for b in slack.command("action 4.2").buttons()]
    assert "Sign off" in [
        b["text"]["text"] for b in slack.command("action 4.2", user="U0ADMIN").buttons()
    ]
    refused = slack.command("signoff 4.2", user="U0PRACT")
    assert "Sign-off is the board's" in refused.text
    signed = slack.command("signoff 4.2", user="U0SPM")  # the AEB's secretary post
    assert "signed off" in signed.text
    assert action_row(staffed_db, "4.2").status == ActionStatus.SIGNED_OFF
    assert "signed off by the board" in slack.command("update 4.2 more news", user="U0CP").text


def test_admins_update_on_behalf_and_cover_may_update(slack: Driver, staffed_db: Database) -> None:
    slack.command("update 4.1 green: placements panel set up", user="U0ADMIN")
    update = updates_of(staffed_db, "4.1")[-1]
    with staffed_db.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.update_id == update.id))
        assert entry is not None and entry.on_behalf_of_id == update.on_behalf_of_id
    assert "(for <@U0CP>)" in slack.command("history 4.1").text
    from datetime import date

    from db.models import Cover, Post
    from db.posts import get_or_create_person

    with staffed_db.writes.begin() as session:
        post = session.scalars(select(Post).where(Post.key == "dir-corporate-parenting")).one()
        session.add(
            Cover(
                post=post,
                person=get_or_create_person(session, "U0COVER"),
                starts_on=date(2022, 9, 1),
                ends_on=date(2022, 9, 30),
            )
        )
    assert "Logged" in slack.command("update 4.1 amber: one panel cancelled", user="U0COVER").text


def test_a_replayed_slash_update_is_stored_once(slack: Driver, staffed_db: Database) -> None:
    body = slash_body(
        "update 4.2 amber: waiting for HR",
        user="U0CP",
        channel="C0PRACTICE",
        response_url=slack.fake.response_url(),
    )
    first = slack.send(body)
    again = slack.send(body)  # the same signed request, sent again
    assert [u.text for u in updates_of(staffed_db, "4.2")] == ["waiting for HR"]
    assert audit_entries(staffed_db) == 1
    assert "Logged for *4.2*" in again.text
    assert again.button("Undo")["value"] == first.button("Undo")["value"]  # the same update


def test_two_slash_updates_with_the_same_words_are_two(slack: Driver, staffed_db: Database) -> None:
    slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    slack.command("update 4.2 amber: waiting for HR", user="U0CP")
    assert len(updates_of(staffed_db, "4.2")) == 2


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
