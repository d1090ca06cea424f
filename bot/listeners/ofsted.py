"""`/ofsted` and the buttons that run commands again (share, more, history, suggestions).

A lookup is answered in the ack itself. What would make the ack wait on the Web API or on a
slow build (`… share`, `/ofsted digest`, and every button, which answers through
response_url) is acknowledged at once and done in a lazy listener after it.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.later import OUT_OF_DATE, acknowledge, after_the_ack
from bot.services import Ofsted, services
from commands.grammar import parse
from commands.ids import RERUN_BUTTONS, ActionId, Rerun
from commands.registry import lookup
from commands.router import handle
from commands.views.kit import Reply, without_pings
from db.messages import remember_bot_message

OFSTED = re.compile(r"^/ofsted")  # the slash command (manifest.yml)
LATER_VERBS = frozenset({"digest"})  # slow to build: answered after the ack
WRITE_VERBS = frozenset({"update", "signoff"})  # committed before Slack hears back
RESPONSE_URL_MESSAGES = 5  # response_url takes five messages


def answered_later(text: str) -> bool:
    """Whether `/ofsted TEXT` is acknowledged first and answered after: sharing a lookup posts
    through the Web API, and the verbs in LATER_VERBS take a while (and answer in several
    messages)."""
    invocation = parse(text)
    verb = lookup(invocation.verb)
    name = verb.help.name if verb is not None else None
    return name in LATER_VERBS or (invocation.share and name not in WRITE_VERBS)


INVITE = (
    "I'm not in this channel, so replies in the thread will not reach me: "
    "type `/invite @ofsted` here, then share again."
)


def _join(client: WebClient, channel_id: str) -> None:
    """Join a public channel before posting there: with chat:write.public alone Slack takes
    the post but sends no events of the replies in its thread. A private channel (or one the
    bot cannot see) is left to the post to refuse."""
    if channel_id.startswith("C"):
        try:
            client.conversations_join(channel=channel_id)
        except SlackApiError as exc:
            if exc.response.get("error") not in {
                "method_not_supported_for_channel_type",
                "channel_not_found",
            }:
                raise


def share(
    ofsted: Ofsted, client: WebClient, respond: Respond, channel_id: str, user_id: str, reply: Reply
) -> None:
    """Post an answer in the channel, the bot in it (remembered, so replies in its thread are
    updates); where the bot is not a member (a private channel it was not invited to),
    through response_url, and the user is told to invite it."""
    payload = reply.payload()
    # names, not mentions: a mention in a channel notifies the person
    payload["blocks"] = without_pings(payload["blocks"], ofsted.names)
    text = f"{payload['text']} (shared by <@{user_id}>)"
    _join(client, channel_id)
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
        respond(response_type="ephemeral", replace_original=False, text=INVITE)
        return
    with ofsted.database.writes.begin() as session:
        remember_bot_message(session, posted["channel"], posted["ts"], "share", reply.actions)


def answer_in_the_ack(
    ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """A lookup, answered in the ack itself."""
    # Slack makes one trigger id per command: the same command sent twice is done once
    trigger = command.get("trigger_id")
    key = f"slash:{trigger}"[:100] if trigger else None
    ofsted = services(context)
    reply = handle(
        ofsted.context(command["user_id"], command.get("channel_id"), request_key=key),
        command.get("text", ""),
    )
    ack(**reply.payload())
    for followup in reply.followups[: RESPONSE_URL_MESSAGES - 1]:  # none expected here:
        respond(**followup.payload())  # a verb with followups belongs in LATER_VERBS


def answer_command(
    command: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """A command answered after the ack: shared, or slow to build."""
    text = command.get("text", "")
    with after_the_ack(f"/ofsted {parse(text).verb}", respond.response_url):
        ofsted = services(context)
        user_id, channel_id = command["user_id"], command.get("channel_id")
        reply = handle(ofsted.context(user_id, channel_id), text)
        if reply.in_channel and channel_id:
            share(ofsted, client, respond, channel_id, user_id, reply)
            return
        for message in [reply, *reply.followups][:RESPONSE_URL_MESSAGES]:
            respond(**message.payload())


def later_command(command: dict[str, Any]) -> bool:
    """A matcher: the commands answered after the ack."""
    return answered_later(command.get("text", ""))


def answer_button(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    kind = ActionId.of(action["action_id"])
    name = kind.name.lower() if kind else "rerun"
    with after_the_ack(f"the {name} button", respond.response_url):
        rerun(services(context), body, action, kind, client, respond)


def register(app: App) -> None:
    app.command(OFSTED, matchers=[later_command])(ack=acknowledge, lazy=[answer_command])
    # a lookup is answered in its ack, with no lazy listener: starting one copies the whole
    # request and hands it to a thread, which costs more than most lookups take to answer
    app.command(OFSTED)(answer_in_the_ack)
    app.action(ActionId.pattern(*RERUN_BUTTONS))(ack=acknowledge, lazy=[answer_button])


def rerun(
    ofsted: Ofsted,
    body: dict[str, Any],
    action: dict[str, Any],
    kind: ActionId | None,
    client: WebClient,
    respond: Respond,
) -> None:
    """A button that runs a command again: share it, its next page, its history, a suggestion."""
    user_id = body["user"]["id"]
    channel_id = (body.get("channel") or {}).get("id")
    value = Rerun.read(action.get("value"))
    if value is None:
        respond(**OUT_OF_DATE)
        return
    sharing = kind == ActionId.SHARE
    reply = handle(
        ofsted.context(user_id, channel_id), value.cmd, page=value.page or 0, share=sharing
    )
    if sharing and reply.in_channel and channel_id:
        share(ofsted, client, respond, channel_id, user_id, reply)
        return
    respond(**{**reply.payload(), "replace_original": kind == ActionId.MORE})
