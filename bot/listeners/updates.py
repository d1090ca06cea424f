"""Logging progress from buttons and forms: the update form (bot.listeners.forms), Undo, the
which-action choice, sign-off; and the request key that makes `/ofsted update` sent twice one.

Each button's ack function does the database work (so it is done before Slack hears back) and
keeps what to say in the Bolt context; a lazy listener says it once the app has answered.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.listeners import forms
from bot.listeners.events import ANSWER, plan_answer, send_answer
from bot.listeners.forms import button_value
from bot.services import Ofsted
from commands.views.help import problem_view
from commands.views.updates import confirmation_view
from db.models import UpdateSource
from db.replies import Incoming, choose
from db.signoff import sign_off
from db.updates import UpdateRefusedError
from db.versions import retract_update

SHORTCUT = forms.SHORTCUT
RESPOND = "ofsted_respond"  # the Bolt context key of what to respond, once acked


def refusal(message: str) -> dict[str, Any]:
    return {**problem_view(message).payload(), "replace_original": False}


def register(app: App, ofsted: Ofsted) -> None:
    forms.register(app, ofsted)

    def respond_later(respond: Respond, client: WebClient, context: BoltContext) -> None:
        if said := context.get(RESPOND):
            respond(**said)
        send_answer(client, context.get(ANSWER))

    def on_undo(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        ack()
        try:
            with ofsted.database.writes.begin() as session:
                update = retract_update(
                    session,
                    int(button_value(action).get("update", 0)),
                    body["user"]["id"],
                    now=ofsted.now(),
                    undo=True,
                    admins=ofsted.settings.admins,
                )
                payload = confirmation_view(update, update.action).payload()
        except UpdateRefusedError as refused:
            context[RESPOND] = refusal(str(refused))
            return
        context[RESPOND] = {**payload, "replace_original": True}

    def on_choose(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        ack()
        value = button_value(action)
        user = body["user"]["id"]
        with ofsted.database.writes.begin() as session:
            outcome = choose(
                session,
                int(value.get("pending", 0)),
                int(value.get("action", 0)),
                user,
                today=ofsted.today(),
                admins=ofsted.settings.admins,
                now=ofsted.now(),
            )
            if outcome.kind == "refused":
                context[RESPOND] = refusal(outcome.message)
                return
            context[RESPOND] = {"delete_original": True}
            if outcome.update is not None:
                update = outcome.update
                thread = (body.get("container") or {}).get("thread_ts")
                message = Incoming(
                    None,
                    update.slack_channel or "",
                    update.slack_ts or "",
                    thread,
                    user,
                    "reply",
                    None,
                    "",
                )
                context[ANSWER] = plan_answer(message, outcome)

    def on_signoff(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        ack()
        try:
            with ofsted.database.writes.begin() as session:
                update = sign_off(
                    session,
                    int(button_value(action).get("action", 0)),
                    body["user"]["id"],
                    source=UpdateSource.SYSTEM,
                    admins=ofsted.settings.admins,
                    now=ofsted.now(),
                )
                payload = confirmation_view(update, update.action, undone=True).payload()
        except UpdateRefusedError as refused:
            context[RESPOND] = refusal(str(refused))
            return
        context[RESPOND] = {**payload, "replace_original": False}

    app.action(re.compile(r"^ofsted_undo(:[0-9a-f]+)?$"))(ack=on_undo, lazy=[respond_later])
    app.action(re.compile(r"^ofsted_choose(:[0-9a-f]+)?$"))(ack=on_choose, lazy=[respond_later])
    app.action(re.compile(r"^ofsted_signoff(:[0-9a-f]+)?$"))(ack=on_signoff, lazy=[respond_later])
