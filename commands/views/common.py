"""Pieces every view uses: escaping, cutting to Slack's limits, RAG and status words, dates."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block

from commands.views.plain import plain
from db.lookups import PersonRow
from db.models import ActionStatus, Person, Rag

MAX_BLOCKS = 50
SECTION_TEXT = 3000
CONTEXT_TEXT = 2000  # each context element
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
FALLBACK_TEXT = 3000  # notification text we send (Slack allows 40,000; keep it readable)

RAG_EMOJI = {Rag.RED: "🔴", Rag.AMBER: "🟠", Rag.GREEN: "🟢"}
RAG_MEANING = {
    Rag.GREEN: "on track: will be delivered by the due date, no help needed",
    Rag.AMBER: "at risk: may slip or needs attention; the owner has a recovery plan",
    Rag.RED: "off track: will miss the due date or is blocked; the board's help is needed",
}
STATUS_EMOJI = {ActionStatus.COMPLETE: "✅", ActionStatus.SIGNED_OFF: "☑️"}

ACTION_IDS = {
    "share": "ofsted_share",
    "more": "ofsted_more",
    "history": "ofsted_history",
    "update": "ofsted_update",
    "run": "ofsted_run",
    "edit": "ofsted_edit",
    "undo": "ofsted_undo",
    "choose": "ofsted_choose",
    "signoff": "ofsted_signoff",
}


Json = dict[str, Any]
Kit = Block | Json
"""A Block Kit block: Slack's JSON, as the builders below make it (no slack_sdk objects on the
request path: building and serialising them was a third of a lookup's CPU time, issue 9; the
tests validate every message against slack_sdk's models), or a slack_sdk model (forms and App
Home use some)."""


@dataclass
class Reply:
    """What the bot answers: Block Kit blocks, the notification text, and where it goes."""

    blocks: list[Kit]
    text: str
    in_channel: bool = False
    replace_original: bool = False
    actions: list[int] = field(default_factory=list)  # the actions it shows (for thread replies)
    followups: list[Reply] = field(default_factory=list)  # more private messages after it

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "response_type": "in_channel" if self.in_channel else "ephemeral",
            "text": cut_escaped(self.text, FALLBACK_TEXT),
            "blocks": [as_json(block) for block in self.blocks[:MAX_BLOCKS]],
        }
        if self.replace_original:
            body["replace_original"] = True
        return body


def escape(text: str) -> str:
    """Make text safe to show in mrkdwn: no `<!channel>`, `<@U…>` or links can be injected.

    Slack's own rule: `&`, `<` and `>` are the control characters; escaped, a user's text is
    shown as typed and pings nobody.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(mrkdwn_text: str) -> str:
    """The plain text of mrkdwn we escaped (for a notification `text`, which is escaped again)."""
    return mrkdwn_text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with "…" when it had to be cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit * 0.6:
        head = head[:space]
    return head.rstrip() + "…"


def cut_escaped(text: str, limit: int) -> str:
    """Escape, then cut to the limit without splitting an `&amp;`-style entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    head = cut(escaped, limit)
    amp = head.rfind("&", max(0, len(head) - 6))
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp].rstrip() + "…"
    return head


def first_lines(text: str, limit: int = 200) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return cut(" ".join(lines[:3]), limit)


def rag_label(rag: Rag | None) -> str:
    if rag is None:
        return "⚪ Not rated"
    return f"{RAG_EMOJI[rag]} {rag.value.capitalize()}"


def status_label(status: ActionStatus) -> str:
    emoji = STATUS_EMOJI.get(status)
    return f"{emoji} {status.value}" if emoji else status.value


def day(value: date | None) -> str:
    return value.strftime("%-d %b %Y") if value else "no date"


def when(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%-d %b %Y, %H:%M")


def person(who: Person | PersonRow | None, *, mention: bool = True) -> str:
    """A person as Slack shows them: a mention in private answers; where shared, their name
    if known (a mention there would notify them), else nothing."""
    if who is None:
        return "nobody yet" if mention else ""
    if mention:
        return f"<@{who.slack_user_id}>"
    return escape(who.name) if who.name else ""


def as_json(block: Kit) -> Json:
    """A block as Slack's JSON (a slack_sdk model unvalidated, as `plain()` gives it)."""
    return block if isinstance(block, dict) else plain(block)


def _text(kind: str, text: str) -> Json:
    return {"type": kind, "text": text}


def header(text: str) -> Json:
    return {"type": "header", "text": _text("plain_text", cut(text, 150))}


def divider() -> Json:
    return {"type": "divider"}


def mrkdwn(text: str) -> Json:
    return {"type": "section", "text": _text("mrkdwn", cut(text, SECTION_TEXT))}


def context(*parts: str) -> Json:
    elements = [_text("mrkdwn", cut(p, CONTEXT_TEXT)) for p in parts if p][:10]
    return {"type": "context", "elements": elements or [_text("mrkdwn", " ")]}


def button(label: str, kind: str, value: dict[str, Any], *, style: str | None = None) -> Json:
    """A button whose value is JSON; its action_id is `ofsted_<kind>:<digest>`, unique per
    value, so a message may hold several buttons of one kind (listeners match the prefix)."""
    encoded = json.dumps(value, separators=(",", ":"), sort_keys=True)
    if len(encoded) > BUTTON_VALUE:
        raise ValueError("button value too long")
    digest = hashlib.sha1(encoded.encode(), usedforsecurity=False).hexdigest()[:12]
    element: Json = {
        "type": "button",
        "text": {"type": "plain_text", "text": cut(label, BUTTON_TEXT), "emoji": True},
        "action_id": f"{ACTION_IDS[kind]}:{digest}",
        "value": encoded,
    }
    if style:
        element["style"] = style
    return element


def buttons(*elements: Json | None) -> Json | None:
    present = [e for e in elements if e is not None]
    return {"type": "actions", "elements": present} if present else None


def rerun(command: str, **extra: Any) -> dict[str, Any]:
    """A button value that runs an `/ofsted` command again (paging, sharing)."""
    return {"cmd": command, **extra}


def keep_within_limits(blocks: list[Kit | None]) -> list[Kit]:
    present = [b for b in blocks if b is not None]
    if len(present) > MAX_BLOCKS:
        present = [*present[: MAX_BLOCKS - 1], context("_…more than Slack can show at once._")]
    return present
