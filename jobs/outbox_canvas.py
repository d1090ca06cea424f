"""A board's channel canvas: the standing board pack in the channel's header, kept by the digest.

Slack gives a channel one canvas (`conversations.canvases.create`; a second is refused with
`channel_canvas_already_exists`) and shows it in `conversations.info`, under
`channel.properties.canvas.file_id`. Whoever made it, the bot replaces its whole document
(`canvases.edit`, `replace` with no section) each time the digest goes out, so the canvas is
always the latest digest's summary; one deleted since is made again. Replacing is idempotent,
so a canvas whose answer was lost is simply kept again, never looked for. Where a workspace
has no canvases (its plan, or the app without `canvases:write`) Slack's error is one of
`UNAVAILABLE`: the sender logs it and tells the admins once, and sends the rest of the digest.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

UNAVAILABLE = frozenset(
    {
        "team_tier_cannot_create_channel_canvases",  # the workspace's plan has no canvases
        "canvas_disabled_user_team",  # canvases turned off for the workspace
        "free_team_canvas_tab_already_exists",
        "missing_scope",  # the app was installed before it asked for canvases:write
        "not_allowed_token_type",
        "restricted_action",  # an admin does not let apps make canvases
    }
)


def channel_canvas(client: WebClient, channel: str) -> str | None:
    """The id of the channel's canvas, if it has one."""
    found = client.conversations_info(channel=channel).get("channel") or {}
    canvas = (found.get("properties") or {}).get("canvas") or {}
    return str(canvas["file_id"]) if canvas.get("file_id") else None


def keep_channel_canvas(client: WebClient, channel: str, title: str, markdown: str) -> str:
    """Make the channel's canvas hold `markdown` (made, or replaced), answering its id."""
    content = {"type": "markdown", "markdown": markdown}
    last: SlackApiError | None = None
    for _ in range(2):  # a canvas deleted, or made by someone else, since Slack was asked
        canvas_id = channel_canvas(client, channel)
        try:
            if canvas_id is not None:
                change: dict[str, Any] = {"operation": "replace", "document_content": content}
                client.canvases_edit(canvas_id=canvas_id, changes=[change])
                return canvas_id
            made = client.conversations_canvases_create(
                channel_id=channel, title=title, document_content=content
            )
            return str(made["canvas_id"])
        except SlackApiError as exc:
            if exc.response.get("error") not in (
                "canvas_not_found",
                "channel_canvas_already_exists",
            ):
                raise
            last = exc
    assert last is not None
    raise last
