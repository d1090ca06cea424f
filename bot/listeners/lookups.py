"""`/ofsted` and the buttons that run commands again (share, more, history, suggestions).

A lookup is answered in the ack itself. What would make the ack wait on the Web API or on a
slow build (`… share`, `/ofsted digest`, and every button, which answers through
response_url) is acknowledged at once and done in a lazy listener after it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.later import after_the_ack
from bot.services import Ofsted
from commands.grammar import parse
from commands.registry import lookup
from commands.router import handle
from commands.views.common import Reply
from db.replies import remember_bot_message

RERUN_BUTTONS = re.compile(r"^ofsted_(share|more|run|history)(:[0-9a-f]+)?$")
LATER_VERBS = frozenset({"digest"})  # slow to build: answered after the ack
WRITE_VERBS = frozenset({"update", "signoff"})  # committed before Slack hears back, as ever
RESPONSE_URL_MESSAGES = 5  # response_url takes five messages


def answered_later(text: str) -> bool:
    """Whether `/ofsted TEXT` is acknowledged first and answered after: sharing a lookup posts
    through the Web API, and the verbs in LATER_VERBS take a while (and answer in several
    messages)."""
    invocation = parse(text)
    verb = lookup(invocation.verb)
    name = verb.help.name if verb is not None else None
    return name in LATER_VERBS or (invocation.share and name not in WRITE_VERBS)


def share(
    ofsted: Ofsted, client: WebClient, respond: Respond, channel_id: str, user_id: str, reply: Reply
) -> None:
    """Post an answer in the channel (remembered, so replies in its thread are updates); where
    the bot is not a member, through response_url."""
    payload = reply.payload()
    text = f"{payload['text']} (shared by <@{user_id}>)"
    try:
        posted = client.chat_postMessage(
            channel=channel_id,
            text=text,
            blocks=payload["blocks"],
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        if exc.response.get("error") not in {"not_in_channel", "channel_not_found"}:
            raise
        respond(
            response_type="in_channel", replace_original=False, text=text, blocks=payload["blocks"]
        )
        return
    with ofsted.database.writes.begin() as session:
        remember_bot_message(session, posted["channel"], posted["ts"], "share", reply.actions)


def register(app: App, ofsted: Ofsted) -> None:
    def now(command: dict[str, Any]) -> bool:
        return not answered_later(command.get("text", ""))

    def later(command: dict[str, Any]) -> bool:
        return answered_later(command.get("text", ""))

    def ack_only(ack: Ack) -> None:
        ack()

    def acknowledge_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = command.get("text", "")
        # Slack makes one trigger id per command: the same command sent twice is done once
        trigger = command.get("trigger_id")
        key = f"slash:{trigger}"[:100] if trigger else None
        reply = handle(
            ofsted.context(command["user_id"], command.get("channel_id"), request_key=key), text
        )
        ack(**reply.payload())
        for followup in reply.followups[: RESPONSE_URL_MESSAGES - 1]:  # none expected here:
            respond(**followup.payload())  # a verb with followups belongs in LATER_VERBS

    def answer_command(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        text = command.get("text", "")
        with after_the_ack(f"/ofsted {parse(text).verb}", respond):
            user_id, channel_id = command["user_id"], command.get("channel_id")
            reply = handle(ofsted.context(user_id, channel_id), text)
            if reply.in_channel and channel_id:
                share(ofsted, client, respond, channel_id, user_id, reply)
                return
            for message in [reply, *reply.followups][:RESPONSE_URL_MESSAGES]:
                respond(**message.payload())

    # a lookup is answered in its ack, with no lazy listener: starting one copies the whole
    # request and hands it to a thread, a sixth of a lookup's CPU time (issue 9)
    app.command(re.compile(r"^/ofsted"), matchers=[now])(acknowledge_command)
    app.command(re.compile(r"^/ofsted"), matchers=[later])(ack=ack_only, lazy=[answer_command])

    def acknowledge_button(ack: Ack) -> None:
        ack()

    def answer_button(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        kind = action["action_id"].removeprefix("ofsted_").split(":")[0]
        with after_the_ack(f"the {kind} button", respond):
            rerun(ofsted, body, action, kind, client, respond)

    app.action(RERUN_BUTTONS)(ack=acknowledge_button, lazy=[answer_button])


def rerun(
    ofsted: Ofsted,
    body: dict[str, Any],
    action: dict[str, Any],
    kind: str,
    client: WebClient,
    respond: Respond,
) -> None:
    """A button that runs a command again: share it, its next page, its history, a suggestion."""
    user_id = body["user"]["id"]
    channel_id = (body.get("channel") or {}).get("id")
    try:
        value = json.loads(action.get("value") or "{}")
        command, page = str(value["cmd"]), int(value.get("page", 0))
    except (ValueError, KeyError, TypeError):
        respond(
            response_type="ephemeral",
            replace_original=False,
            text="That button is out of date: run the command again.",
        )
        return
    reply = handle(ofsted.context(user_id, channel_id), command, page=page, share=kind == "share")
    if kind == "share" and reply.in_channel and channel_id:
        share(ofsted, client, respond, channel_id, user_id, reply)
        return
    respond(**{**reply.payload(), "replace_original": kind == "more"})
