"""Logging progress from buttons and forms: Update → modal, Edit, Undo, the which-action choice,
sign-off, and the message shortcut *Log as action update*."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.events import answer
from bot.services import Ofsted
from bot.views.help import problem_view
from bot.views.updates import (
    MODAL_CALLBACK,
    ModalMeta,
    UpdateForm,
    confirmation_view,
    read_form,
    update_modal,
)
from commands.status_words import parse_status
from db.lookups import actions_by_id, actions_of_person
from db.models import Update, UpdateSource
from db.replies import Incoming, choose, remember_bot_message
from db.updates import (
    UpdateRefusedError,
    UpdateRequest,
    newest_version,
    record_update,
    retract_update,
    revise_update,
    sign_off,
)

SHORTCUT = "log_action_update"


def button_value(action: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(action.get("value") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def register(app: App, ofsted: Ofsted) -> None:
    def refuse(respond: Respond, message: str) -> None:
        respond(**{**problem_view(message).payload(), "replace_original": False})

    def open_modal(
        client: WebClient, trigger_id: str, user: str, meta: ModalMeta, text: str = ""
    ) -> None:
        today = ofsted.today()
        with ofsted.database.sessions() as session:
            if meta.mode == "shortcut":
                mine = actions_of_person(session, user, today, per_page=100).cards
                view = update_modal(meta, choices=mine, text=text, today=today)
            else:
                cards = actions_by_id(session, [meta.action_id or 0], today)
                view = update_modal(meta, card=cards[0] if cards else None, text=text, today=today)
        client.views_open(trigger_id=trigger_id, view=view)

    @app.action(re.compile(r"^ofsted_update(:[0-9a-f]+)?$"))
    def on_update_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        meta = ModalMeta("new", action_id=int(button_value(action).get("action", 0)))
        open_modal(client, body["trigger_id"], body["user"]["id"], meta)

    @app.shortcut(SHORTCUT)
    def on_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        message = shortcut.get("message") or {}
        meta = ModalMeta(
            "shortcut", channel=(shortcut.get("channel") or {}).get("id"), ts=message.get("ts")
        )
        open_modal(
            client,
            shortcut["trigger_id"],
            shortcut["user"]["id"],
            meta,
            text=message.get("text") or "",
        )

    @app.action(re.compile(r"^ofsted_edit(:[0-9a-f]+)?$"))
    def on_edit_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        with ofsted.database.sessions() as session:
            update = newest_version(session, int(button_value(action).get("update", 0)))
            if update is None:
                return
            meta = ModalMeta("edit", action_id=update.action_id, update_id=update.id)
            text = update.text
        open_modal(client, body["trigger_id"], body["user"]["id"], meta, text=text)

    def save(form: UpdateForm, meta: ModalMeta, user: str, client: WebClient) -> Update:
        with ofsted.database.writes.begin() as session:
            if meta.mode == "edit" and meta.update_id:
                return revise_update(
                    session,
                    meta.update_id,
                    user,
                    text=form.text,
                    status=form.status,
                    rag=form.rag,
                    admins=ofsted.settings.admins,
                    now=ofsted.now(),
                )
            permalink = None
            if meta.mode == "shortcut" and meta.channel and meta.ts:
                try:
                    permalink = client.chat_getPermalink(
                        channel=meta.channel, message_ts=meta.ts
                    ).get("permalink")
                except SlackApiError:
                    permalink = None
            request = UpdateRequest(
                action_id=form.action_id or meta.action_id or 0,
                author=user,
                text=form.text,
                source=UpdateSource.SHORTCUT if meta.mode == "shortcut" else UpdateSource.MODAL,
                status=form.status,
                rag=form.rag,
                evidence=form.evidence,
                due=form.due,
                due_reason=form.due_reason,
                escalation=form.escalation,
                channel=meta.channel,
                ts=meta.ts,
                permalink=permalink,
            )
            return record_update(
                session,
                request,
                today=ofsted.today(),
                admins=ofsted.settings.admins,
                now=ofsted.now(),
            )

    @app.view(MODAL_CALLBACK)
    def on_modal(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        form = read_form(view["state"]["values"], ofsted.today())
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
            return
        try:
            update = save(form, ModalMeta.load(view.get("private_metadata", "")), user, client)
        except UpdateRefusedError as refused:
            ack(response_action="errors", errors={"text": str(refused)[:150]})
            return
        ack()
        payload = confirmation_view(update, update.action).payload()
        posted = client.chat_postMessage(
            channel=user, text=payload["text"], blocks=payload["blocks"]
        )
        with ofsted.database.writes.begin() as session:  # replies in its thread are updates
            remember_bot_message(
                session, posted["channel"], posted["ts"], "confirmation", [update.action_id]
            )

    @app.action(re.compile(r"^ofsted_undo(:[0-9a-f]+)?$"))
    def on_undo(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
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
        except UpdateRefusedError as refused:
            refuse(respond, str(refused))
            return
        respond(**{**confirmation_view(update, update.action).payload(), "replace_original": True})

    @app.action(re.compile(r"^ofsted_choose(:[0-9a-f]+)?$"))
    def on_choose(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
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
                parse=parse_status,
            )
        if outcome.kind == "refused":
            refuse(respond, outcome.message)
            return
        respond(delete_original=True)
        if outcome.update is not None:
            update = outcome.update
            channel, ts = update.slack_channel or "", update.slack_ts or ""
            thread = (body.get("container") or {}).get("thread_ts")
            answer(
                ofsted,
                client,
                Incoming(None, channel, ts, thread, user, "reply", None, ""),
                outcome,
            )

    @app.action(re.compile(r"^ofsted_signoff(:[0-9a-f]+)?$"))
    def on_signoff(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
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
        except UpdateRefusedError as refused:
            refuse(respond, str(refused))
            return
        respond(
            **{
                **confirmation_view(update, update.action, undone=True).payload(),
                "replace_original": False,
            }
        )
