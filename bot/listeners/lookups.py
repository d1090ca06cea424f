"""`/ofsted` and the buttons that run commands again (share, more, history, suggestions)."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Ofsted
from bot.views.common import Reply
from commands.router import handle
from db.replies import remember_bot_message

RERUN_BUTTONS = re.compile(r"^ofsted_(share|more|run|history)(:[0-9a-f]+)?$")


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
    @app.command(re.compile(r"^/ofsted"))
    def on_ofsted(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ctx = ofsted.context(command["user_id"], command.get("channel_id"))
        reply = handle(ctx, command.get("text", ""))
        if not reply.in_channel:
            ack(**reply.payload())
            for followup in reply.followups[:4]:  # response_url takes five messages
                respond(**followup.payload())
            return
        ack()
        share(ofsted, client, respond, command["channel_id"], command["user_id"], reply)

    @app.action(RERUN_BUTTONS)
    def on_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        kind = action["action_id"].removeprefix("ofsted_").split(":")[0]
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
        reply = handle(
            ofsted.context(user_id, channel_id), command, page=page, share=kind == "share"
        )
        if kind == "share" and reply.in_channel and channel_id:
            share(ofsted, client, respond, channel_id, user_id, reply)
            return
        respond(**{**reply.payload(), "replace_original": kind == "more"})
