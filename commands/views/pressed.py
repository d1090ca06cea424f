"""A pressed button's message, updated in place: the button (and any buttons beside it in its
row) gives way to a line saying what was done and by whom ("✅ Signed off by …"), so the
message is not left live. Slack asks for new block ids when a message is updated: the blocks
go back without theirs, and Slack gives them new ones."""

from __future__ import annotations

from typing import Any

from commands.views.kit import Json, context

NO_BUTTONS = ("accessory", "block_id")


def _pressed(block: Json, action_id: str) -> bool:
    if (block.get("accessory") or {}).get("action_id") == action_id:
        return True
    elements = block.get("elements") if block.get("type") == "actions" else None
    return any(e.get("action_id") == action_id for e in elements or [])


def settled_blocks(blocks: list[Json], action_id: str, note: str) -> list[Json]:
    """The message's blocks with the pressed button replaced by `note` (mrkdwn)."""
    out: list[Json] = []
    for block in blocks:
        fresh = {k: v for k, v in block.items() if k != "block_id"}
        if not _pressed(block, action_id):
            out.append(fresh)
        elif block.get("type") == "actions":
            out.append(context(note))
        else:
            out += [{k: v for k, v in block.items() if k not in NO_BUTTONS}, context(note)]
    return out


def settled_message(body: dict[str, Any], action: dict[str, Any], note: str) -> Json | None:
    """What to send to the press's response_url to update its message in place; None when the
    payload has no message to start from (an ephemeral one: Slack sends no `message` then)."""
    message = body.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("blocks"), list):
        return None
    return {
        "replace_original": True,
        "text": str(message.get("text") or note),
        "blocks": settled_blocks(message["blocks"], str(action.get("action_id")), note),
    }
