"""What owners and admins receive: nudges before a meeting, alerts when a delivery fails (the
digest is commands/views/digest.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from commands.ids import ActionId, ActionRef, NudgeRef
from commands.views.kit import (
    Kit,
    button,
    buttons,
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
    slack_weekday,
    status_label,
    weekday,
    when,
)
from jobs.alerts import DeliveryAlert
from jobs.digest_model import ActionLine

NUDGE_ACTIONS = 20


@dataclass(frozen=True)
class NudgeState:
    """How a sent nudge stands: which of its actions have their update since (their status),
    the nudge's delivery id (its buttons carry it) and a reminder asked for."""

    delivery_id: int | None = None
    done: Mapping[int, str] = field(default_factory=dict)
    remind_at: datetime | None = None
    reminder: bool = False  # this is the reminder asked for (no second one to ask)


def _nudge_line(line: ActionLine, today: date, tz: ZoneInfo, done: str | None) -> list[Kit]:
    what = f"*{escape(line.ref)}* {cut_escaped(line.title, 400)} · `{line.plan_key}`"
    if done is not None:
        return [mrkdwn(f"✓ {what}\nUpdated: {status_label(done)}")]
    last = (
        f"last update {when(line.last_update_at, tz)}: {quoted(line.last_update_text or '', 150)}"
        if line.last_update_at
        else "no update yet"
    )
    return [
        mrkdwn(
            f"{what}\n{rag_label(line.rag)} · {status_label(line.status)} · "
            f"{due_text(line, today)}",
            accessory=button(
                "Update", ActionId.UPDATE, ActionRef(action=line.action_id), style="primary"
            ),
        ),
        context(last),
    ]


def _nudge_buttons(state: NudgeState, tz: ZoneInfo, left: int) -> list[Kit]:
    if not left:
        return [context("✓ Every action here has its update: thank you.")]
    if state.delivery_id is None:
        return []
    value = NudgeRef(delivery=state.delivery_id)
    row = buttons(
        button("No change since last time", ActionId.NO_CHANGE, value),
        button("Remind me in 2 days", ActionId.REMIND_LATER, value)
        if state.remind_at is None and not state.reminder
        else None,
    )
    shown: list[Kit] = [row] if row is not None else []
    if state.remind_at is not None:
        shown.append(context(f"⏰ I'll remind you {when(state.remind_at, tz)}."))
    return shown


def nudge_view(
    lines: Sequence[ActionLine],
    board: str,
    meeting: date,
    tz: ZoneInfo,
    today: date,
    *,
    second: bool = False,
    state: NudgeState | None = None,
) -> tuple[str, list[Kit]]:
    """One DM per owner: their actions that need an update before the meeting. Shown again
    (updated in place) with `state`: ✓ and the status on each action updated since."""
    state = state or NudgeState()
    opening = "Please update these before the meeting"
    if second or state.reminder:
        opening = "A reminder: these still have no update"
    if state.reminder:
        opening = "The reminder you asked for: these still need an update"
    blocks: list[Kit | None] = [
        mrkdwn(f"*The {escape(board)} meets on {slack_weekday(meeting)}.* {opening}:"),
    ]
    for line in list(lines)[:NUDGE_ACTIONS]:
        blocks += _nudge_line(line, today, tz, state.done.get(line.action_id))
    if len(lines) > NUDGE_ACTIONS:
        blocks.append(context(f"…and {len(lines) - NUDGE_ACTIONS} more: `/ofsted mine`."))
    left = [x for x in lines if x.action_id not in state.done]
    if left:
        blocks.append(
            context(
                f"Reply in this thread to log progress, e.g. `{left[0].ref} amber: waiting "
                f"for HR` (a status word first is optional), or press *Update*."
            )
        )
    blocks += _nudge_buttons(state, tz, len(left))
    text = f"{board} on {day(meeting)}: {len(left)} action{'s' if len(left) != 1 else ''} to update"
    return text, keep_within_limits(blocks)


WHAT = {
    "nudge": "the first reminder",
    "nudge2": "the second reminder",
    "remind": "the reminder asked for",
    "digest": "the digest",
    "decision": "the board's decision on a new due date",
    "deadline": "a reminder of the action plan's statutory deadline",
    "canvas": "the board channel's canvas",
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
    ("team_tier_cannot_create_channel_canvases", "canvas_disabled_user_team", "restricted_action"),
    "this workspace has no channel canvases (its plan, or an admin's setting); the digest and "
    "its files were posted, and the canvas is left until canvases are available",
)
FIX |= dict.fromkeys(
    ("missing_scope", "not_allowed_token_type"),
    "reinstall the app so that it has the `canvases:write` scope; the digest and its files "
    "were posted",
)
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
