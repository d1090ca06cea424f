"""What owners and admins receive: nudges before a meeting, alerts when a delivery fails (the
digest is commands/views/digest.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from commands.ids import ActionId, ActionRef
from commands.views.common import (
    Kit,
    button,
    context,
    cut,
    cut_escaped,
    day,
    due_text,
    escape,
    keep_within_limits,
    mrkdwn,
    quoted,
    rag_label,
    status_label,
    weekday,
    when,
)
from jobs.alerts import DeliveryAlert
from jobs.digest_model import ActionLine

NUDGE_ACTIONS = 20


def nudge_view(
    lines: Sequence[ActionLine],
    board: str,
    meeting: date,
    tz: ZoneInfo,
    today: date,
    *,
    second: bool = False,
) -> tuple[str, list[Kit]]:
    """One DM per owner: their actions that need an update before the meeting."""
    opening = (
        "A reminder: these still have no update"
        if second
        else "Please update these before the meeting"
    )
    blocks: list[Kit | None] = [
        mrkdwn(f"*The {escape(board)} meets on {weekday(meeting)}.* {opening}:"),
    ]
    for line in list(lines)[:NUDGE_ACTIONS]:
        last = (
            f"last update {when(line.last_update_at, tz)}: "
            f"{quoted(line.last_update_text or '', 150)}"
            if line.last_update_at
            else "no update yet"
        )
        blocks.append(
            mrkdwn(
                f"*{escape(line.ref)}* {cut_escaped(line.title, 400)} · `{line.plan_key}`\n"
                f"{rag_label(line.rag)} · {status_label(line.status)} · {due_text(line, today)}",
                accessory=button(
                    "Update", ActionId.UPDATE, ActionRef(action=line.action_id), style="primary"
                ),
            )
        )
        blocks.append(context(last))
    if len(lines) > NUDGE_ACTIONS:
        blocks.append(context(f"…and {len(lines) - NUDGE_ACTIONS} more: `/ofsted mine`."))
    example = lines[0].ref if lines else "4.2"
    blocks.append(
        context(
            f"Reply in this thread to log progress, e.g. `{example} amber: waiting "
            f"for HR` (a status word first is optional), or press *Update*."
        )
    )
    text = (
        f"{board} on {day(meeting)}: {len(lines)} action{'s' if len(lines) != 1 else ''} to update"
    )
    return text, keep_within_limits(blocks)


WHAT = {
    "nudge": "the first reminder",
    "nudge2": "the second reminder",
    "digest": "the digest",
    "deadline": "a reminder of the action plan's statutory deadline",
}
FIX = {
    "user_not_found": "that Slack user no longer exists: check who holds the post "
    "(`ofsted-bot owners list`, `ofsted-bot owners set POST U…`)",
    "channel_not_found": "no channel of that name that the bot can see: if it is private, type "
    "`/invite @ofsted` in it; if it was renamed or deleted, correct the board's channel in the "
    "plan file",
    "not_in_channel": "the bot is not in the channel: type `/invite @ofsted` in it",
    "is_archived": "the channel is archived: correct the board's channel in the plan file",
}
FIX |= dict.fromkeys(
    ("account_inactive", "user_disabled", "cannot_dm_bot", "messages_tab_disabled"),
    "that person cannot receive DMs from the bot: check who holds the post "
    "(`ofsted-bot owners list`)",
)


def _recipient(recipient: str) -> str:
    if recipient.startswith(("U", "W")):
        return f"<@{recipient}>"
    if recipient.startswith(("C", "G")):
        return f"<#{recipient}>"
    return escape(recipient) or "(nobody)"


def alert_view(
    alert: DeliveryAlert, board: str | None, meeting: date | None
) -> tuple[str, list[Kit]]:
    """What an admin is told when a delivery failed: what, to whom, why, and what to do."""
    what = WHAT.get(alert.kind, escape(alert.kind) or "a message")
    if board:
        what += f" of the {escape(board)}"
    if meeting:
        what += f" for its meeting on {weekday(meeting)}"
    fix = FIX.get(alert.error, "`ofsted-bot jobs history` shows what happened")
    text = (
        f"⚠️ ofsted-bot could not send {what} to {_recipient(alert.recipient)}: "
        f"`{escape(alert.error)}`. To fix: {fix}."
    )
    return cut(text, 300), [mrkdwn(text), context(f"Delivery `{escape(alert.key)}`.")]
