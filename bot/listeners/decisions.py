"""*Approve* / *Reject* a new due date (the digest's *Decisions for the board*): the button
opens a form asking the reason (required to reject: its owner is told); once decided, the
pressed message is updated in place with `chat.update` (the buttons give way to "✅ Approved
by …"), found again by its channel and ts (a modal's submission carries no message), and the
owner's DM is owed through the outbox (db.due_dates)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.later import OUT_OF_DATE_TEXT, acknowledge
from bot.listeners.update_form import fill, open_at_once
from bot.services import services
from commands.ids import ActionId, CallbackId, DateRequestRef, DecisionMeta
from commands.views.decisions import REASON, decided_note, decision_modal
from commands.views.kit import notice_modal
from commands.views.pressed import settled_blocks
from db.due_dates import decide_due_date, request_row
from db.updates import UpdateRefusedError

log = logging.getLogger(__name__)
TITLE = "New due date"
DECIDED = "ofsted_decided"  # the Bolt context key of the message to update once acked


def open_decision_form(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    value = DateRequestRef.read(action.get("value"))
    view_id = open_at_once(client, body["trigger_id"], TITLE, "Just a moment…")
    if view_id is None:
        return
    ofsted = services(context)
    with ofsted.database.sessions() as session:
        row = request_row(session, value.request) if value is not None else None
    if row is None:
        fill(client, view_id, notice_modal(TITLE, OUT_OF_DATE_TEXT))
        return
    if row.state != "pending":
        fill(client, view_id, notice_modal(TITLE, decided_note(row)))
        return
    where = body.get("container") or {}
    meta = DecisionMeta(
        request=row.id,
        approve=ActionId.of(str(action.get("action_id"))) == ActionId.APPROVE_DATE,
        channel=where.get("channel_id"),
        ts=where.get("message_ts"),
        thread_ts=where.get("thread_ts"),
        button=str(action.get("action_id"))[:60],
    )
    fill(client, view_id, decision_modal(row, meta, ofsted.settings.tz))


def on_decision(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Decide before Slack hears back; a refusal shows in the form."""
    ofsted = services(context)
    meta = DecisionMeta.read(view.get("private_metadata"))
    values = view.get("state", {}).get("values", {})
    reason = str((values.get(REASON, {}).get(ActionId.FORM_INPUT) or {}).get("value") or "")
    if meta is None:
        ack(response_action="errors", errors={REASON: "This form is out of date: close it."})
        return
    try:
        with ofsted.database.writes.begin() as session:
            decide_due_date(
                session,
                meta.request,
                body["user"]["id"],
                approve=meta.approve,
                reason=reason,
                admins=ofsted.settings.admins,
                now=ofsted.now(),
            )
            row = request_row(session, meta.request)
    except UpdateRefusedError as refused:
        ack(response_action="errors", errors={REASON: str(refused)[:150]})
        return
    ack()
    if row is not None:
        context[DECIDED] = {"meta": meta.dump(), "note": f"*{row.ref}* {decided_note(row)}"}


def find_message(
    client: WebClient, channel: str, ts: str, thread_ts: str | None
) -> dict[str, Any] | None:
    """The pressed message as Slack holds it now (in its thread, or the channel)."""
    if thread_ts:
        found = client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
    else:
        found = client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
    messages = found.get("messages") or []
    return next((m for m in messages if m.get("ts") == ts), None)


def settle(client: WebClient, context: BoltContext) -> None:
    said: dict[str, str] = context.get(DECIDED) or {}
    meta = DecisionMeta.read(said.get("meta"))
    if meta is None or not (meta.channel and meta.ts):
        return
    try:
        message = find_message(client, meta.channel, meta.ts, meta.thread_ts)
        if message is None or not isinstance(message.get("blocks"), list):
            return
        client.chat_update(
            channel=meta.channel,
            ts=meta.ts,
            text=str(message.get("text") or said["note"]),
            blocks=settled_blocks(message["blocks"], meta.button, said["note"]),
        )
    except SlackApiError as exc:  # decided and stored; the message is best effort
        log.warning("could not update the decided message: %s", exc.response.get("error"))


def register(app: App) -> None:
    buttons = ActionId.pattern(ActionId.APPROVE_DATE, ActionId.REJECT_DATE)
    app.action(buttons)(ack=acknowledge, lazy=[open_decision_form])
    app.view(CallbackId.DECISION_FORM)(ack=on_decision, lazy=[settle])
