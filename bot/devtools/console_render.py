"""Block Kit shown as text in a terminal, the way Slack would lay it out.

Headers are bold, sections wrap, fields pair up, context is dim, and buttons show as `[1 Share]`
so that the console can press them by number.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"
WIDTH = 96
# Slack renders `<@U…>` as the member's name (for every reader, pinging nobody in a private
# answer); the console fills this from its fake workspace's members. Unknown ids show as is.
names: dict[str, str] = {}


@dataclass
class Rendered:
    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)


def _mrkdwn(text: str, colour: bool) -> str:
    text = re.sub(r"<!date\^[^|>]*\|([^>]*)>", r"\1", text)  # Slack's dates: the fallback
    text = re.sub(
        r"<@([A-Z0-9]+)(?:\|([^>]+))?>", lambda m: "@" + (names.get(m[1]) or m[2] or m[1]), text
    )
    text = re.sub(r"<!(channel|here|everyone)>", r"@\1", text)
    text = re.sub(r"<([^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    bold = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
    text = bold.sub(BOLD + r"\1" + RESET if colour else r"\1", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"\1", text)
    text = re.sub(r"^>", "│ ", text, flags=re.MULTILINE)
    return html.unescape(text)


def _text(obj: dict[str, Any] | None, colour: bool) -> str:
    if not obj:
        return ""
    raw = str(obj.get("text", ""))
    return _mrkdwn(raw, colour) if obj.get("type") == "mrkdwn" else html.unescape(raw)


def _wrap(text: str, indent: str = "  ") -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(
            paragraph,
            WIDTH,
            initial_indent=indent,
            subsequent_indent=indent + ("  " if paragraph.startswith(">") else ""),
            replace_whitespace=False,
        ) or [indent]
    return lines


def render(payload: dict[str, Any], *, colour: bool = True, first_button: int = 1) -> Rendered:
    """A message payload (blocks and text) as terminal lines; buttons are numbered."""
    out: list[str] = []
    buttons: list[dict[str, Any]] = []

    def dim(text: str) -> str:
        return DIM + text + RESET if colour else text

    blocks = payload.get("blocks") or []
    if not blocks:
        out += _wrap(_mrkdwn(str(payload.get("text", "")), colour))
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = _text(block.get("text"), colour)
            out.append(f"  {BOLD}{title}{RESET}" if colour else f"  {title}")
            out.append("  " + "═" * min(len(title), WIDTH))
        elif kind == "section":
            if block.get("text"):
                out += _wrap(_text(block["text"], colour))
            fields = [_text(f, colour) for f in block.get("fields", [])]
            for left, right in zip(fields[::2], [*fields[1::2], ""], strict=False):
                out.append(f"  {left:<46} {right}")
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                buttons.append(accessory)
                out.append(
                    f"  [{first_button + len(buttons) - 1} {_text(accessory['text'], False)}]"
                )
        elif kind == "context":
            parts = [_text(e, colour) for e in block.get("elements", []) if "text" in e]
            out += [dim(line) for line in _wrap(" · ".join(parts))]
        elif kind == "divider":
            out.append("  " + dim("─" * 40))
        elif kind == "actions":
            labels = []
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    buttons.append(element)
                    labels.append(
                        f"[{first_button + len(buttons) - 1} {_text(element['text'], False)}]"
                    )
            out.append("  " + " ".join(labels))
        elif kind == "input":
            out += _input(block)
        else:
            out.append(dim(f"  ({kind} block)"))
    return Rendered("\n".join(out), buttons)


def _input(block: dict[str, Any]) -> list[str]:
    """A modal's input as a line: its block id (for `:fill`), label, choices, current value."""
    element = block.get("element", {})
    label = _text(block.get("label"), False)
    optional = "" if not block.get("optional") else " (optional)"
    line = f"  [{block.get('block_id')}] {label}{optional}"
    options = [o["value"] for o in element.get("options", [])]
    if options and len(options) <= 8:
        line += ": " + " | ".join(options)
    elif options:
        line += f": {len(options)} choices, e.g. " + " | ".join(options[:4]) + " …"
    initial = (element.get("initial_option") or {}).get("value") or element.get("initial_value")
    if initial:
        line += f"  (now: {str(initial)[:60]})"
    return [line]


def render_view(view: dict[str, Any], *, colour: bool = True) -> Rendered:
    """A modal or App Home: its title, then its blocks."""
    title = _text(view.get("title"), False) if view.get("title") else "App Home"
    shown = render({"blocks": view.get("blocks", [])}, colour=colour)
    return Rendered(f"  ▣ {title}\n{shown.text}", shown.buttons)


def form_value(block: dict[str, Any], value: str) -> dict[str, Any]:
    """What Slack puts in a view's state for an input block the user filled with `value`."""
    kind = block["element"]["type"]
    if kind in {"static_select", "radio_buttons"}:
        return {"type": kind, "selected_option": {"value": value}}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    if kind == "users_select":  # Slack's people picker: the member id
        return {"type": kind, "selected_user": value.removeprefix("@").upper()}
    if kind == "checkboxes":
        chosen = [{"value": "yes"}] if value.lower() in {"yes", "y", "true", "1"} else []
        return {"type": kind, "selected_options": chosen}
    return {"type": kind, "value": value}


def initial_values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The state of a form nobody has touched: its initial options and values."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        element, block_id = block.get("element", {}), block.get("block_id")
        if block.get("type") != "input" or not block_id:
            continue
        if element.get("initial_option"):
            values[block_id] = {
                "type": element["type"],
                "selected_option": element["initial_option"],
            }
        elif element.get("initial_user"):
            values[block_id] = {"type": element["type"], "selected_user": element["initial_user"]}
        elif element.get("initial_date"):
            values[block_id] = {"type": element["type"], "selected_date": element["initial_date"]}
        elif element.get("initial_value"):
            values[block_id] = {"type": element["type"], "value": element["initial_value"]}
    return values
