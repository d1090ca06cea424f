"""The board's decisions on new due dates: the digest's *Decisions for the board* (with
*Approve* / *Reject* for the one deciding), the form asking the reason, what the owner is told,
and the line an action's history shows under the update that asked."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from commands.ids import ActionId, CallbackId, DateRequestRef, DecisionMeta
from commands.views.kit import (
    Kit,
    button,
    buttons,
    context,
    cut,
    cut_escaped,
    escape,
    mrkdwn,
    slack_date,
    when,
)
from db.due_dates import DateRequestRow

DECISIONS_TITLE = "Decisions for the board"
DECISION_BUTTONS = 10  # requests shown with their buttons (two blocks each)
REASON = "reason"  # the decision form's block id


def date_change(row: DateRequestRow) -> str:
    was = slack_date(row.due_from) if row.due_from else "no due date"
    return f"due {was} → *{slack_date(row.due_to)}*"


def request_line(row: DateRequestRow, tz: ZoneInfo, mention: bool) -> str:
    who = f"<@{row.requested_by}>" if mention else escape(row.owner_post or "its owner")
    return (
        f"*{escape(row.ref)}* {cut_escaped(row.title, 120)} · `{row.plan_key}`\n"
        f"New due date asked for by {who} {when(row.requested_at, tz)}: {date_change(row)}\n"
        f"> {cut_escaped(row.reason, 300)}"
    )


def decision_blocks(
    requests: Sequence[DateRequestRow], tz: ZoneInfo, *, decider: str | None, mention: bool
) -> list[Kit]:
    """The pending requests, each with *Approve* and *Reject* for the one deciding (never on
    their own request)."""
    blocks: list[Kit] = [mrkdwn(f"*{DECISIONS_TITLE}: new due dates* ({len(requests)})")]
    for row in requests[:DECISION_BUTTONS]:
        blocks.append(mrkdwn(request_line(row, tz, mention)))
        if decider is not None and decider != row.requested_by:
            value = DateRequestRef(request=row.id)
            row_buttons = buttons(
                button("Approve", ActionId.APPROVE_DATE, value, style="primary"),
                button("Reject", ActionId.REJECT_DATE, value, style="danger"),
            )
            if row_buttons is not None:
                blocks.append(row_buttons)
    if len(requests) > DECISION_BUTTONS:
        more = len(requests) - DECISION_BUTTONS
        blocks.append(context(f"…and {more} more, decided from `/ofsted digest`."))
    return blocks


def decision_modal(row: DateRequestRow, meta: DecisionMeta, tz: ZoneInfo) -> View:
    verb = "Approve" if meta.approve else "Reject"
    return View(
        type="modal",
        callback_id=CallbackId.DECISION_FORM,
        title=f"{verb} new due date",
        submit=verb,
        close="Cancel",
        private_metadata=meta.dump(),
        blocks=[
            mrkdwn(request_line(row, tz, mention=True)),
            InputBlock(
                block_id=REASON,
                label="Reason (its owner is told)",
                optional=meta.approve,
                element=PlainTextInputElement(action_id=ActionId.FORM_INPUT, multiline=True),
            ),
        ],
    )


def decided_note(row: DateRequestRow) -> str:
    """What replaces the buttons, and what history says under the request."""
    if row.state == "pending":
        return "⏳ waiting for the board's decision"
    if row.state == "replaced":
        return "replaced by a later request"
    mark = "✅" if row.state == "approved" else "✖️"
    why = f": {cut_escaped(row.decision_reason, 300)}" if row.decision_reason else ""
    return f"{mark} {row.state.capitalize()} by <@{row.decided_by}>{why}"


def outcome_view(row: DateRequestRow) -> tuple[str, list[Kit]]:
    """The owner's DM: what the board decided on the new date they asked for."""
    decided = "approved" if row.state == "approved" else "rejected"
    what = f"*{escape(row.ref)}* {cut_escaped(row.title, 200)}"
    if decided == "approved":
        head = f"The board *approved* the new due date you asked for on {what}: now due "
        head += f"*{slack_date(row.due_to)}*."
    else:
        stays = "it keeps its due date"
        if row.due_from:
            stays = f"it stays due {slack_date(row.due_from)}"
        head = f"The board *rejected* the new due date ({slack_date(row.due_to)}) you asked "
        head += f"for on {what}: {stays}."
    blocks: list[Kit] = [mrkdwn(head), context(decided_note(row))]
    text = f"New due date for {row.ref} {decided}"
    return cut(text, 300), blocks
