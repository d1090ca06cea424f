"""Events API: replies in bot threads, mentions and DMs that log updates; edits and deletions.

The app runs with process_before_response, so Slack gets its 200 only after the update is
committed: a crash before that means Slack retries, and the retry is recognised by its event_id.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Ofsted
from bot.views.updates import choose_view, confirmation_view
from commands.status_words import parse_update
from db.replies import Incoming, Outcome, deleted, edited, receive

log = logging.getLogger(__name__)


def from_a_person(event: dict[str, Any]) -> bool:
    """Not a bot (ourselves included), not a system message."""
    return (
        bool(event.get("user"))
        and not event.get("bot_id")
        and event.get("subtype") in (None, "thread_broadcast", "file_share")
    )


def _ephemeral(
    client: WebClient,
    channel: str,
    user: str,
    text: str,
    thread_ts: str | None,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    try:
        client.chat_postEphemeral(
            channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread_ts
        )
    except SlackApiError as exc:  # the update (or refusal) stands; telling them is best effort
        log.warning("could not tell %s in %s: %s", user, channel, exc.response.get("error"))


def answer(ofsted: Ofsted, client: WebClient, message: Incoming, outcome: Outcome) -> None:
    """Tell the author what happened to their message."""
    thread = message.thread_ts or message.ts
    if outcome.kind == "logged" and outcome.update is not None:
        reply = confirmation_view(outcome.update, outcome.update.action)
        payload = reply.payload()
        try:  # the update is stored; saying so is best effort (Slack must not retry for it)
            client.reactions_add(
                channel=message.channel, timestamp=message.ts, name="white_check_mark"
            )
            client.chat_postMessage(
                channel=message.channel,
                thread_ts=thread,
                text=payload["text"],
                blocks=payload["blocks"],
            )
        except SlackApiError as exc:
            log.warning(
                "update %s stored but not confirmed in %s: %s",
                outcome.update.id,
                message.channel,
                exc.response.get("error"),
            )
    elif outcome.kind == "refused":
        _ephemeral(client, message.channel, message.user, outcome.message, thread)
    elif outcome.kind == "choose" and outcome.pending is not None:
        payload = choose_view(outcome.pending.id, outcome.choices).payload()
        _ephemeral(
            client, message.channel, message.user, payload["text"], thread, payload["blocks"]
        )


def incoming(body: dict[str, Any], event: dict[str, Any], kind: str) -> Incoming:
    in_dm = event.get("channel_type") == "im" and not event.get("thread_ts")
    parsed = parse_update(event.get("text") or "")
    return Incoming(
        body.get("event_id"),
        event["channel"],
        event["ts"],
        event.get("thread_ts"),
        event["user"],
        "mention" if in_dm else kind,  # type: ignore[arg-type]
        parsed.ref,
        parsed.text,
        parsed.status,
        parsed.rag,
    )


def register(app: App, ofsted: Ofsted) -> None:
    def log_message(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, kind: str
    ) -> None:
        if not from_a_person(event):
            return
        message = incoming(body, event, kind)
        if message.kind == "reply" and not message.thread_ts:
            return  # an ordinary channel message: not for us
        with ofsted.database.writes.begin() as session:
            outcome = receive(
                session,
                message,
                today=ofsted.today(),
                admins=ofsted.settings.admins,
                configured_plan=ofsted.settings.current_plan,
                now=ofsted.now(),
            )
        answer(ofsted, client, message, outcome)

    @app.event({"type": "message", "subtype": None})
    def on_message(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        log_message(body, event, client, "reply")

    @app.event({"type": "message", "subtype": "thread_broadcast"})
    def on_broadcast(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        log_message(body, event, client, "reply")

    @app.event("app_mention")
    def on_mention(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        log_message(body, event, client, "mention")

    @app.event({"type": "message", "subtype": "message_changed"})
    def on_edit(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        new = event.get("message") or {}
        if not new.get("user") or new.get("bot_id"):
            return
        parsed = parse_update(new.get("text") or "")
        status, rag, text = parsed.status, parsed.rag, parsed.text
        with ofsted.database.writes.begin() as session:
            outcome = edited(
                session,
                event_id=body.get("event_id"),
                channel=event["channel"],
                ts=new["ts"],
                user=new["user"],
                text=text,
                status=status,
                rag=rag,
                admins=ofsted.settings.admins,
                now=ofsted.now(),
            )
        if outcome.kind == "logged" and outcome.update is not None:
            reply = confirmation_view(outcome.update, outcome.update.action).payload()
            _ephemeral(
                client,
                event["channel"],
                new["user"],
                reply["text"],
                new.get("thread_ts"),
                reply["blocks"],
            )

    @app.event({"type": "message", "subtype": "message_deleted"})
    def on_delete(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        old = event.get("previous_message") or {}
        if not old.get("user") or old.get("bot_id"):
            return
        with ofsted.database.writes.begin() as session:
            outcome = deleted(
                session,
                event_id=body.get("event_id"),
                channel=event["channel"],
                ts=event.get("deleted_ts") or old.get("ts", ""),
                now=ofsted.now(),
            )
        if outcome.kind == "logged" and outcome.update is not None:
            reply = confirmation_view(outcome.update, outcome.update.action).payload()
            _ephemeral(
                client,
                event["channel"],
                old["user"],
                reply["text"],
                old.get("thread_ts"),
                reply["blocks"],
            )

    @app.event({"type": "message"})
    def on_other_message(event: dict[str, Any]) -> None:
        """Other message subtypes (joins, bot messages, …) are not updates."""
