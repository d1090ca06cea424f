"""Events API: replies in bot threads (with a file or not), mentions and DMs that log updates;
edits and deletions (a deleted message that has replies becomes a tombstone: Slack says so with
message_changed, not message_deleted).

Text is stored as the person typed it (commands.slack_text), not as Slack sends it.

The app runs with process_before_response, so Slack gets its 200 only after the update is
committed: a crash before that means Slack retries, and the retry is recognised by its event_id.
Each listener's ack function only stores and decides what to say (a JSON-able answer kept in the
Bolt context); saying it (a reaction, a thread reply, an ephemeral message) is a lazy listener
that runs once Slack has its answer, so a slow or rate-limited Web API never delays the ack.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import services
from commands.slack_text import typed
from commands.views.logged import choose_view, confirmation_view
from db.messages import Edit, Incoming, Outcome, deleted, edited, receive
from db.status_words import parse_update

log = logging.getLogger(__name__)
ANSWER = "ofsted_answer"  # the Bolt context key of what to tell the author, once acked

AnswerToSend = dict[str, Any]  # Web API calls to make once acked, by kind (JSON-able)


def from_a_person(event: dict[str, Any]) -> bool:
    """Not a bot (ourselves included), not a system message."""
    return (
        bool(event.get("user"))
        and not event.get("bot_id")
        and event.get("subtype") in (None, "thread_broadcast", "file_share")
    )


def _ephemeral(
    channel: str,
    user: str,
    text: str,
    thread_ts: str | None,
    blocks: list[dict[str, Any]] | None = None,
) -> AnswerToSend:
    said = {"channel": channel, "user": user, "text": text, "blocks": blocks}
    return {"ephemeral": said | {"thread_ts": thread_ts}}


def answer_for(message: Incoming, outcome: Outcome) -> AnswerToSend | None:
    """What to tell the author about their message (rendered now, while the session is open)."""
    thread = message.thread_ts or message.ts
    if outcome.kind == "logged" and outcome.update is not None:
        payload = confirmation_view(outcome.update, outcome.update.action).payload()
        return {
            "react": {"channel": message.channel, "timestamp": message.ts},
            "post": {"channel": message.channel, "thread_ts": thread} | payload,
            "update_id": outcome.update.id,
        }
    if outcome.kind == "refused":
        return _ephemeral(message.channel, message.user, outcome.message, thread)
    if outcome.kind == "choose" and outcome.pending is not None:
        payload = choose_view(outcome.pending.id, outcome.choices).payload()
        return _ephemeral(message.channel, message.user, payload["text"], thread, payload["blocks"])
    return None


def send_answer(client: WebClient, answer: AnswerToSend | None) -> None:
    """Tell the author. The update (or refusal) stands whatever Slack says: best effort."""
    for what in ("react", "post", "ephemeral"):
        if not answer or what not in answer:
            continue
        try:
            if what == "react":
                client.reactions_add(**answer[what], name="white_check_mark")
            elif what == "post":
                client.chat_postMessage(**answer[what])
            else:
                client.chat_postEphemeral(**answer[what])
        except SlackApiError as exc:
            log.warning(
                "could not %s (update %s): %s",
                what,
                answer.get("update_id"),
                exc.response.get("error"),
            )


def mentions(text: str, user_id: str | None) -> bool:
    return bool(user_id) and f"<@{user_id}" in text


def shared_files(event: dict[str, Any]) -> str | None:
    """The permalinks of the files a message shares (its evidence), one a line."""
    links = [f["permalink"] for f in event.get("files") or [] if f.get("permalink")]
    return "\n".join(links) or None


def incoming(
    body: dict[str, Any], event: dict[str, Any], kind: str, bot_user: str | None = None
) -> Incoming:
    in_dm = event.get("channel_type") == "im" and not event.get("thread_ts")
    text = typed(event.get("text") or "")
    parsed = parse_update(text)
    return Incoming(
        body.get("event_id"),
        event["channel"],
        event["ts"],
        event.get("thread_ts"),
        event["user"],
        "dm" if in_dm else kind,  # type: ignore[arg-type]
        parsed.ref,
        parsed.text,
        parsed.status,
        parsed.rag,
        addressed=bool(parsed.ref or parsed.status) or mentions(text, bot_user),
        in_channel=event.get("channel_type") != "im",
        evidence=shared_files(event),
    )


def in_a_thread_or_dm(event: dict[str, Any]) -> bool:
    """A matcher: a reply in a thread, or a DM to the bot (not an ordinary channel message)."""
    return bool(event.get("thread_ts")) or event.get("channel_type") == "im"


def a_persons(message: dict[str, Any] | None) -> bool:
    """A person's message: not a bot's, not Slack's tombstone of a deleted one."""
    message = message or {}
    return (
        bool(message.get("user")) and not message.get("bot_id") and message.get("subtype") is None
    )


def edits_a_persons_message(event: dict[str, Any]) -> bool:
    """A matcher: a person edited their message (it is not a tombstone, below)."""
    return a_persons(event.get("message"))


def tombstones_a_persons_message(event: dict[str, Any]) -> bool:
    """A matcher: a person's message that has replies was deleted; Slack leaves a tombstone
    ("This message was deleted.", from USLACKBOT) where it was, as an edit of it."""
    new = event.get("message") or {}
    return new.get("subtype") == "tombstone" and a_persons(event.get("previous_message"))


def deletes_a_persons_message(event: dict[str, Any]) -> bool:
    """A matcher: the deleted message was a person's (not a bot's, not a tombstone)."""
    return a_persons(event.get("previous_message"))


def log_message(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, kind: str
) -> None:
    ofsted = services(context)
    message = incoming(body, event, kind, context.bot_user_id)
    with ofsted.database.writes.begin() as session:
        outcome = receive(
            session,
            message,
            today=ofsted.today(),
            admins=ofsted.settings.admins,
            configured_plan=ofsted.settings.current_plan,
            clock=ofsted.now,
        )
        context[ANSWER] = answer_for(message, outcome)


def on_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    log_message(body, event, context, "reply")


def on_mention(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    log_message(body, event, context, "mention")


def tell(client: WebClient, context: BoltContext) -> None:
    send_answer(client, context.get(ANSWER))


def on_edit(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    ofsted = services(context)
    new = event["message"]
    parsed = parse_update(typed(new.get("text") or ""))
    edit = Edit(
        body.get("event_id"),
        event["channel"],
        new["ts"],
        new["user"],
        parsed.text,
        parsed.status,
        parsed.rag,
    )
    with ofsted.database.writes.begin() as session:
        outcome = edited(
            session,
            edit,
            today=ofsted.today(),
            admins=ofsted.settings.admins,
            clock=ofsted.now,
        )
        context[ANSWER] = _confirm_privately(
            outcome, event["channel"], new["user"], new.get("thread_ts")
        )


def on_delete(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    ofsted = services(context)
    old = event["previous_message"]
    with ofsted.database.writes.begin() as session:
        outcome = deleted(
            session,
            event_id=body.get("event_id"),
            channel=event["channel"],
            ts=event.get("deleted_ts") or old.get("ts", ""),
            clock=ofsted.now,
        )
        context[ANSWER] = _confirm_privately(
            outcome, event["channel"], old["user"], old.get("thread_ts")
        )


def ignore() -> None:
    """Events no listener takes (bots' messages, joins, ordinary channel messages, …) are
    acknowledged and dropped."""


def message(subtype: str | None) -> dict[str, Any]:
    """The constraints of a message event of this subtype."""
    return {"type": "message", "subtype": subtype}


def register(app: App) -> None:
    person, thread = [from_a_person], [from_a_person, in_a_thread_or_dm]
    app.event(message(None), matchers=thread)(ack=on_message, lazy=[tell])
    app.event(message("thread_broadcast"), matchers=thread)(ack=on_message, lazy=[tell])
    app.event(message("file_share"), matchers=thread)(ack=on_message, lazy=[tell])
    app.event("app_mention", matchers=person)(ack=on_mention, lazy=[tell])
    edits, deletes = [edits_a_persons_message], [deletes_a_persons_message]
    tombstones = [tombstones_a_persons_message]
    app.event(message("message_changed"), matchers=tombstones)(ack=on_delete, lazy=[tell])
    app.event(message("message_changed"), matchers=edits)(ack=on_edit, lazy=[tell])
    app.event(message("message_deleted"), matchers=deletes)(ack=on_delete, lazy=[tell])


def register_last(app: App) -> None:
    """After every other listener: what none of them took."""
    app.event(re.compile(r".*"))(ignore)


def _confirm_privately(
    outcome: Outcome, channel: str, user: str, thread_ts: str | None
) -> AnswerToSend | None:
    """What an edit or a deletion did (or why an edit was refused), told to its author only."""
    if outcome.kind == "refused":
        return _ephemeral(channel, user, outcome.message, thread_ts)
    if outcome.kind != "logged" or outcome.update is None:
        return None
    reply = confirmation_view(outcome.update, outcome.update.action).payload()
    return _ephemeral(channel, user, reply["text"], thread_ts, reply["blocks"])
