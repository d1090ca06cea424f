"""The update form: opened by *Update*, *Edit* and the message shortcut *Log as action update*,
and submitted.

A trigger id lives 3 seconds and the Web API may be slow (a 429 asks to wait), so the ack
function of a button or shortcut only acks; a lazy listener, in the forms' own lane (bot.lanes,
never queued behind other work), opens a small modal at once and fills it in with
`views.update` after reading the database. A submitted form is stored before
Slack hears back (nothing is lost if Slack gives up waiting), keyed by the view and what was
submitted so that the same submission sent again is stored once; the confirmation DM is a
lazy listener, after the ack.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.lanes import urgent
from bot.listeners.later import OUT_OF_DATE_TEXT, acknowledge
from bot.services import Ofsted, services
from commands.ids import ActionId, ActionRef, CallbackId, ModalMeta, UpdateRef, Value
from commands.slack_text import typed
from commands.update import save_form
from commands.views.kit import notice_modal
from commands.views.logged import confirmation_view
from commands.views.update_form import read_form, update_modal
from db.actions import actions_by_id, actions_of_person
from db.messages import remember_bot_message
from db.updates import (
    AlreadyLoggedError,
    UpdateRefusedError,
    find_update,
)
from db.versions import newest_version

log = logging.getLogger(__name__)
OUT_OF_DATE_FORM = "This form is out of date: close it and open it again."
FORM_TIMEOUT = 2  # seconds Slack has to open a form (a trigger id lives 3)
CONFIRM = "ofsted_confirm"  # the Bolt context key of the confirmation to send once acked


def submission_key(view: dict[str, Any]) -> str:
    """The same form submitted twice (Slack retrying, a double click) has the same key."""
    values = json.dumps(view.get("state", {}).get("values", {}), sort_keys=True)
    digest = hashlib.sha256(values.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"form:{str(view.get('id', ''))[:40]}:{digest}"


def open_at_once(
    client: WebClient, trigger_id: str, title: str, text: str = "Just a moment…"
) -> str | None:
    """Open a small modal while the trigger id is fresh; its view id, to fill it in. Slack gets
    FORM_TIMEOUT to answer and a 429 is not waited out: the trigger id would be dead by then."""
    quick = WebClient(
        token=client.token, base_url=client.base_url, timeout=FORM_TIMEOUT, retry_handlers=[]
    )
    try:
        opened = quick.views_open(trigger_id=trigger_id, view=notice_modal(title, text))
    except SlackApiError as exc:
        log.warning("could not open the form: %s", exc.response.get("error"))
        return None
    except OSError as exc:  # no answer in time, or no connection
        log.warning("could not open the form: %s", type(exc).__name__)
        return None
    view_id = (opened.get("view") or {}).get("id")
    return str(view_id) if view_id else None


def fill(client: WebClient, view_id: str, view: View) -> None:
    try:
        client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        log.warning("could not fill in the form %s: %s", view_id, exc.response.get("error"))


def form(ofsted: Ofsted, meta: ModalMeta, user: str, text: str = "") -> View:
    today = ofsted.today()
    with ofsted.database.sessions() as session:
        if meta.mode == "shortcut":
            mine = actions_of_person(session, user, today, per_page=100).cards
            return update_modal(meta, choices=mine, text=text, today=today)
        cards = actions_by_id(session, [meta.action_id or 0], today)
        return update_modal(meta, card=cards[0] if cards else None, text=text, today=today)


def open_for(
    kind: type[Value], body: dict[str, Any], action: dict[str, Any], client: WebClient, title: str
) -> tuple[Value, str] | None:
    """Open the form's small modal at once; what the button carries, and the modal's view id.
    A button whose value cannot be read opens a modal that says so instead."""
    value = kind.read(action.get("value"))
    if value is None:
        open_at_once(client, body["trigger_id"], title, OUT_OF_DATE_TEXT)
        return None
    view_id = open_at_once(client, body["trigger_id"], title)
    return (value, view_id) if view_id is not None else None


@urgent
def open_update_form(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    if (opened := open_for(ActionRef, body, action, client, "Update action")) is None:
        return
    value, view_id = opened
    meta = ModalMeta(mode="new", action_id=value.action)
    fill(client, view_id, form(services(context), meta, body["user"]["id"]))


@urgent
def open_edit_form(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    if (opened := open_for(UpdateRef, body, action, client, "Edit update")) is None:
        return
    value, view_id = opened
    ofsted = services(context)
    with ofsted.database.sessions() as session:
        update = newest_version(session, value.update)
        meta = (
            ModalMeta(mode="edit", action_id=update.action_id, update_id=update.id)
            if update
            else None
        )
        text = update.text if update else ""
    if meta is None:
        fill(client, view_id, notice_modal("Edit update", "That update is no longer there."))
        return
    fill(client, view_id, form(ofsted, meta, body["user"]["id"], text))


@urgent
def open_shortcut_form(shortcut: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    view_id = open_at_once(client, shortcut["trigger_id"], "Update action")
    if view_id is None:
        return
    ofsted = services(context)
    message = shortcut.get("message") or {}
    channel, ts = (shortcut.get("channel") or {}).get("id"), message.get("ts")
    if channel and ts:
        with ofsted.database.sessions() as session:
            earlier = find_update(session, channel, ts)
            ref = earlier.action.ref if earlier is not None else None
        if ref is not None:
            told = f"That message is already logged as an update to *{ref}*."
            fill(client, view_id, notice_modal("Update action", told))
            return
    meta = ModalMeta(
        mode="shortcut", channel=channel, ts=ts, permalink=permalink(client, channel, ts)
    )
    text = typed(message.get("text") or "")  # as typed, not as Slack sends it
    fill(client, view_id, form(ofsted, meta, shortcut["user"]["id"], text))


def permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    if not (channel and ts):
        return None
    try:
        found = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError:
        return None
    return str(found) if found else None


def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    ofsted = services(context)
    user = body["user"]["id"]
    form = read_form(view["state"]["values"], ofsted.today())
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return
    meta = ModalMeta.read(view.get("private_metadata"))
    if meta is None:
        ack(response_action="errors", errors={"text": OUT_OF_DATE_FORM})
        return
    try:
        with ofsted.database.writes.begin() as session:
            update = save_form(
                session,
                form,
                meta,
                user,
                submission_key(view),
                today=ofsted.today(),
                admins=ofsted.settings.admins,
                clock=ofsted.now,
            )
            payload = confirmation_view(update, update.action).payload()
            context[CONFIRM] = {"user": user, "action_id": update.action_id, **payload}
    except AlreadyLoggedError as again:
        if again.same_request:  # sent again: answered as the first was
            ack()
            return
        ack(response_action="errors", errors={"text": str(again)[:150]})
        return
    except UpdateRefusedError as refused:
        ack(response_action="errors", errors={"text": str(refused)[:150]})
        return
    ack()


def confirm(client: WebClient, context: BoltContext) -> None:
    """A DM saying what was logged; replies in its thread are updates."""
    said = context.get(CONFIRM)
    if not said:
        return
    try:
        posted = client.chat_postMessage(
            channel=said["user"], text=said["text"], blocks=said["blocks"]
        )
    except SlackApiError as exc:  # the update is stored; telling them is best effort
        log.warning("update form confirmation not sent: %s", exc.response.get("error"))
        return
    with services(context).database.writes.begin() as session:
        remember_bot_message(
            session, posted["channel"], posted["ts"], "confirmation", [said["action_id"]]
        )


def register(app: App) -> None:
    app.action(ActionId.pattern(ActionId.UPDATE))(ack=acknowledge, lazy=[open_update_form])
    app.action(ActionId.pattern(ActionId.EDIT))(ack=acknowledge, lazy=[open_edit_form])
    app.shortcut(CallbackId.LOG_AS_UPDATE)(ack=acknowledge, lazy=[open_shortcut_form])
    app.view(CallbackId.UPDATE_FORM)(ack=on_submit, lazy=[confirm])
