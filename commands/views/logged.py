"""What the bot says once an update is logged (Edit, Undo), and the which-action question."""

from __future__ import annotations

from commands.ids import ActionId, Choice, UpdateRef
from commands.views.kit import (
    Kit,
    Reply,
    button,
    buttons,
    context,
    cut_escaped,
    day,
    escape,
    mrkdwn,
    quoted,
    rag_label,
)
from db.models import Action, Update
from db.status import ActionStatus


def changes(update: Update) -> list[str]:
    found = []
    if update.status_to and update.status_to != update.status_from:
        found.append(
            f"status {update.status_from.value if update.status_from else '–'} → "
            f"*{update.status_to.value}*"
        )
    if update.rag_to and update.rag_to != update.rag_from:
        found.append(f"RAG {rag_label(update.rag_from)} → {rag_label(update.rag_to)}")
    if update.due_to:
        was = f" (now {day(update.due_from)})" if update.due_from else ""
        found.append(f"asked the board for a new due date, {day(update.due_to)}{was}")
    if update.escalation:
        found.append("escalated to the board")
    return found


def confirmation_view(update: Update, action: Action, *, undone: bool = False) -> Reply:
    """What the bot understood, with Edit and Undo (Undo works for 10 minutes)."""
    what = changes(update) or ["no status change"]
    head = (
        "↩️ Withdrawn" if update.retracted else ("✏️ Edited" if update.version > 1 else "✅ Logged")
    )
    text = f"{head} for *{escape(action.ref)}* {cut_escaped(action.title, 200)}: {'; '.join(what)}"
    blocks: list[Kit | None] = [mrkdwn(text)]
    if update.text:
        blocks.append(context(quoted(update.text, 300)))
    if update.status_to == ActionStatus.SIGNED_OFF and update.author is not None:
        blocks.append(context(f"Signed off by <@{update.author.slack_user_id}>"))
    if update.on_behalf_of is not None:
        blocks.append(
            context(
                f"Logged by <@{update.author.slack_user_id if update.author else ''}>"
                f" on behalf of <@{update.on_behalf_of.slack_user_id}>"
            )
        )
    if not update.retracted and not undone:
        blocks.append(
            buttons(
                button("Edit", ActionId.EDIT, UpdateRef(update=update.id)),
                button("Undo", ActionId.UNDO, UpdateRef(update=update.id), style="danger"),
            )
        )
    fallback = f"{head.split(' ', 1)[1]} for {action.ref}: {'; '.join(what)}"
    return Reply([b for b in blocks if b is not None], fallback)


def choose_view(pending_id: int, actions: list[Action]) -> Reply:
    rows = [
        button(f"{a.ref} {a.title}", ActionId.CHOOSE, Choice(action=a.id, pending=pending_id))
        for a in actions[:20]
    ]
    blocks: list[Kit | None] = [
        mrkdwn(
            "Which action is this update about? (Next time, start "
            "your reply with its reference, e.g. `4.2: …`)"
        )
    ]
    for start in range(0, len(rows), 5):
        blocks.append(buttons(*rows[start : start + 5]))
    return Reply([b for b in blocks if b is not None], "Which action is this update about?")
