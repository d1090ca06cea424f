"""Logging progress from buttons and forms: the update form (bot.listeners.update_form), Undo, the
which-action choice, sign-off; and the request key that makes `/ofsted update` sent twice one.

Each button's ack function does the database work (so it is done before Slack hears back) and
keeps what to say in the Bolt context; a lazy listener says it once the app has answered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.listeners import decisions, update_form
from bot.listeners.events import ANSWER, answer_for, send_answer
from bot.listeners.later import OUT_OF_DATE
from bot.services import services
from commands.ids import ActionId, ActionRef, Choice, UpdateRef, Value
from commands.views.help import problem_view
from commands.views.logged import confirmation_view
from commands.views.pressed import settled_message
from db.messages import Incoming, choose
from db.models import Update, UpdateSource
from db.signoff import sign_off
from db.updates import UpdateRefusedError
from db.versions import retract_update

RESPOND = "ofsted_respond"  # the Bolt context key of what to respond, once acked


def refusal(message: str) -> dict[str, Any]:
    return {**problem_view(message).payload(), "replace_original": False}


def respond_later(respond: Respond, client: WebClient, context: BoltContext) -> None:
    if said := context.get(RESPOND):
        respond(**said)
    send_answer(client, context.get(ANSWER))


def button_value(kind: type[Value], action: dict[str, Any], context: BoltContext) -> Value | None:
    """What the button carries; None, with "out of date" to say, if it cannot be read."""
    value = kind.read(action.get("value"))
    if value is None:
        context[RESPOND] = OUT_OF_DATE
    return value


def confirm_change(
    context: BoltContext, change: Callable[[Session], Update], *, replace: bool, undone: bool
) -> None:
    """Make the change and keep what to say: the confirmation, or why it was refused."""
    try:
        with services(context).database.writes.begin() as session:
            update = change(session)
            payload = confirmation_view(update, update.action, undone=undone).payload()
    except UpdateRefusedError as refused:
        context[RESPOND] = refusal(str(refused))
        return
    context[RESPOND] = {**payload, "replace_original": replace}


def on_undo(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    ack()
    ofsted, user = services(context), body["user"]["id"]
    if (value := button_value(UpdateRef, action, context)) is None:
        return
    confirm_change(
        context,
        lambda session: retract_update(
            session, value.update, user, clock=ofsted.now, undo=True, admins=ofsted.settings.admins
        ),
        replace=True,
        undone=False,
    )


def on_choose(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    ack()
    ofsted = services(context)
    if (value := button_value(Choice, action, context)) is None:
        return
    user = body["user"]["id"]
    with ofsted.database.writes.begin() as session:
        outcome = choose(
            session,
            value.pending,
            value.action,
            user,
            today=ofsted.today(),
            admins=ofsted.settings.admins,
            clock=ofsted.now,
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
            context[ANSWER] = answer_for(message, outcome)


def on_signoff(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> None:
    """Sign off, then update the pressed message in place: in a message Slack sent along (the
    digest) the button gives way to "Signed off by …"; an ephemeral answer (Slack sends no
    message for one) is replaced by the confirmation."""
    ack()
    ofsted, user = services(context), body["user"]["id"]
    if (value := button_value(ActionRef, action, context)) is None:
        return
    try:
        with ofsted.database.writes.begin() as session:
            update = sign_off(
                session,
                value.action,
                user,
                source=UpdateSource.SYSTEM,
                admins=ofsted.settings.admins,
                today=ofsted.today(),
                clock=ofsted.now,
            )
            note = f"✅ *{update.action.ref}* signed off by <@{user}>"
            confirmation = confirmation_view(update, update.action, undone=True).payload()
    except UpdateRefusedError as refused:
        context[RESPOND] = refusal(str(refused))
        return
    in_place = settled_message(body, action, note)
    context[RESPOND] = in_place or {**confirmation, "replace_original": True}


def register(app: App) -> None:
    update_form.register(app)
    decisions.register(app)
    app.action(ActionId.pattern(ActionId.UNDO))(ack=on_undo, lazy=[respond_later])
    app.action(ActionId.pattern(ActionId.CHOOSE))(ack=on_choose, lazy=[respond_later])
    app.action(ActionId.pattern(ActionId.SIGNOFF))(ack=on_signoff, lazy=[respond_later])
