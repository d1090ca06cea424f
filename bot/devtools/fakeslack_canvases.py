"""The fake Slack's canvases: a channel's canvas as Slack keeps it.

`conversations.canvases.create` makes a channel's canvas (one a channel: a second is refused
with `channel_canvas_already_exists`) and Slack then shows it in `conversations.info`, under
`channel.properties.canvas` (`file_id`, `is_empty`); `canvases.edit` applies `changes`
(`replace` of the whole document when no `section_id` is given, `insert_at_start`,
`insert_at_end`), `canvas_not_found` for an id it does not have (deleted, say). The markdown
is limited to 1 MiB. A workspace whose plan has no canvases answers
`team_tier_cannot_create_channel_canvases` to create and `canvas_disabled_user_team` to edit.
Both need the `canvases:write` scope (a token without it: `missing_scope`). Not thread-safe:
the fake's lock is held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.devtools.fakeslack_channels import Channels

Json = dict[str, Any]
MARKDOWN_LIMIT = 1_048_576  # 1 MiB of markdown, Slack's limit
_OPERATIONS = {"replace", "insert_at_start", "insert_at_end"}
CANVAS_METHODS = {"conversations.canvases.create", "canvases.edit"}


def _err(error: str) -> Json:
    return {"ok": False, "error": error}


def _markdown(content: Any) -> str | None:
    """The markdown of a document_content, or None if it is not one."""
    if not isinstance(content, dict) or content.get("type") != "markdown":
        return None
    text = content.get("markdown")
    return text if isinstance(text, str) else None


@dataclass
class Canvas:
    canvas_id: str
    channel: str
    title: str
    markdown: str
    edits: int = 0


@dataclass
class Canvases:
    channels: Channels
    available: bool = True  # the workspace's plan has canvases
    scoped: bool = True  # the app was granted canvases:write
    by_id: dict[str, Canvas] = field(default_factory=dict)
    counter: int = 0

    def answer(self, method: str, args: Json) -> Json:
        return self.create(args) if method == "conversations.canvases.create" else self.edit(args)

    def create(self, args: Json) -> Json:
        """conversations.canvases.create: the channel's canvas."""
        if not self.scoped:
            return _err("missing_scope") | {"needed": "canvases:write"}
        found = self.channels.record(str(args.get("channel_id") or ""))
        if found is None:
            return _err("channel_not_found")
        if not self.available:
            return _err("team_tier_cannot_create_channel_canvases")
        if ((found.get("properties") or {}).get("canvas") or {}).get("file_id"):
            return _err("channel_canvas_already_exists")
        content = args.get("document_content")
        text = _markdown(content) if content is not None else ""
        if text is None or len(text) > MARKDOWN_LIMIT:
            return _err("invalid_arguments")
        self.counter += 1
        canvas = Canvas(
            f"F0CANVAS{self.counter:04d}", found["id"], str(args.get("title") or ""), text
        )
        self.by_id[canvas.canvas_id] = canvas
        self._show(canvas)
        return {"ok": True, "canvas_id": canvas.canvas_id}

    def edit(self, args: Json) -> Json:
        """canvases.edit: its changes, in order, all or none."""
        if not self.scoped:
            return _err("missing_scope") | {"needed": "canvases:write"}
        if not self.available:
            return _err("canvas_disabled_user_team")
        canvas = self.by_id.get(str(args.get("canvas_id") or ""))
        if canvas is None:
            return _err("canvas_not_found")
        changes = args.get("changes")
        if not isinstance(changes, list) or not changes:
            return _err("invalid_arguments")
        text = canvas.markdown
        for change in changes:
            if not isinstance(change, dict) or change.get("operation") not in _OPERATIONS:
                return _err("invalid_arguments")
            if change.get("section_id"):  # sections are not modelled: only whole documents
                return _err("invalid_arguments")
            new = _markdown(change.get("document_content"))
            if new is None:
                return _err("invalid_arguments")
            operation = change["operation"]
            text = new if operation == "replace" else (
                new + text if operation == "insert_at_start" else text + new
            )  # fmt: skip
        if len(text) > MARKDOWN_LIMIT:
            return _err("canvas_editing_failed")
        canvas.markdown = text
        canvas.edits += 1
        self._show(canvas)
        return {"ok": True}

    def delete(self, canvas_id: str) -> None:
        """Someone deleted the canvas: gone from the channel too."""
        canvas = self.by_id.pop(canvas_id)
        if (found := self.channels.record(canvas.channel)) is not None:
            found.get("properties", {}).pop("canvas", None)

    def of_channel(self, channel: str) -> Canvas | None:
        return next((c for c in self.by_id.values() if c.channel == channel), None)

    def _show(self, canvas: Canvas) -> None:
        found = self.channels.record(canvas.channel)
        if found is not None:
            properties = found.setdefault("properties", {})
            properties["canvas"] = {
                "file_id": canvas.canvas_id,
                "is_empty": not canvas.markdown,
                "quip_thread_id": f"Q{canvas.canvas_id[1:]}",
            }
