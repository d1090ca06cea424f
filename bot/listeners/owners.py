"""The admins' form for posts: opened by `/ofsted owners [POST]` (an admin's command opens it
straight away), by *Manage posts* (in that answer and in App Home), and submitted.

As with the update form, the ack only acks; a lazy listener opens a small modal at once (a
trigger id lives 3 seconds) and fills it in. A submission is checked and saved before Slack
hears back; the form then says what changed, or shows what is wrong beside the field (nothing
is changed).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.later import OUT_OF_DATE_TEXT, acknowledge, after_the_ack
from bot.listeners.ofsted import OFSTED
from bot.listeners.update_form import fill, open_at_once
from bot.services import Ofsted, services
from commands.grammar import parse
from commands.ids import ActionId, CallbackId, PostRef
from commands.owners import OwnersFormError, current_holder, owners_form, save_owners
from commands.registry import lookup
from commands.views.kit import notice_modal
from commands.views.owners import read_owners_form

TITLE = "Manage posts"
NOT_ADMIN = "Only admins (ADMINS) change who holds a post."


def open_form(
    ofsted: Ofsted, client: WebClient, trigger_id: str, user: str, post: str | None
) -> None:
    view_id = open_at_once(client, trigger_id, TITLE)
    if view_id is None:
        return
    if user not in ofsted.settings.admins:
        fill(client, view_id, notice_modal(TITLE, NOT_ADMIN))
        return
    fill(client, view_id, owners_form(ofsted.database, post, ofsted.today()))


def admins_owners_command(command: dict[str, Any], context: BoltContext) -> bool:
    """A matcher: `/ofsted owners …` from an admin (others get the list as an answer)."""
    verb = lookup(parse(command.get("text", "")).verb)
    admin = command.get("user_id") in services(context).settings.admins
    return admin and verb is not None and verb.help.name == "owners"


def on_command(command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    with after_the_ack("/ofsted owners", command.get("response_url")):
        post = parse(command.get("text", "")).raw.strip() or None
        open_form(services(context), client, command["trigger_id"], command["user_id"], post)


def on_button(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    with after_the_ack("the Manage posts button"):
        value = PostRef.read(action.get("value"))
        if value is None:
            open_at_once(client, body["trigger_id"], TITLE, OUT_OF_DATE_TEXT)
            return
        open_form(services(context), client, body["trigger_id"], body["user"]["id"], value.post)


def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    ofsted, user = services(context), body["user"]["id"]
    if user not in ofsted.settings.admins:
        ack(response_action="errors", errors={"holder": NOT_ADMIN})
        return
    key = str(view.get("private_metadata") or "")
    holder = current_holder(ofsted.database, key) if key else None
    form = read_owners_form(view["state"]["values"], key, holder)
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return
    try:
        names = ofsted.names(u for u in (form.holder, form.cover_by) if u)
        said = save_owners(ofsted.database, form, user, ofsted.today(), names)
    except OwnersFormError as refused:
        ack(response_action="errors", errors=refused.errors)
        return
    done = "\n".join(f"• {line}" for line in said) + "\n\nEvery change is in the audit trail."
    ack(response_action="update", view=notice_modal(TITLE, done))


def register(app: App) -> None:
    """Before bot.listeners.ofsted: an admin's `/ofsted owners` opens the form."""
    app.command(OFSTED, matchers=[admins_owners_command])(ack=acknowledge, lazy=[on_command])
    app.action(ActionId.pattern(ActionId.OWNERS))(ack=acknowledge, lazy=[on_button])
    app.view(CallbackId.OWNERS_FORM)(on_submit)
