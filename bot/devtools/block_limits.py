"""Slack's Block Kit limits, as a checker.

`block_problems`, `message_problems` and `view_problems` return human-readable problems, each
ending in a Slack-style `[json-pointer:/blocks/0/text/text]`; an empty list means Slack would
accept the payload as far as these limits go. The fake Slack server (`fakeslack`) answers
with them, and view tests can assert on them directly.

The numbers are Slack's documented Block Kit limits. Slack counts characters; so does `len`.
Two rules worth knowing: an `action_id` need only be unique within its containing block (Slack
accepts the same `action_id` in two different blocks of one message), while a `block_id` must be
unique across the whole message or view.
"""

from __future__ import annotations

from typing import Any, Literal

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    ImageBlock,
    InputBlock,
    InputInteractiveElement,
    InteractiveElement,
    MarkdownBlock,
    Option,
    OverflowMenuElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

Surface = Literal["message", "modal", "home"]

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": View.blocks_max_length, "home": 100}
MAX_MESSAGE_TEXT = 40_000
MAX_ATTACHMENTS = 100
# the rest as slack_sdk declares them
MAX_SECTION_TEXT = SectionBlock.text_max_length
MAX_SECTION_FIELDS = SectionBlock.fields_max_length
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = HeaderBlock.text_max_length
MAX_CONTEXT_ELEMENTS = ContextBlock.elements_max_length
MAX_ACTIONS_ELEMENTS = ActionsBlock.elements_max_length
MAX_BUTTON_TEXT = ButtonElement.text_max_length
MAX_BUTTON_VALUE = ButtonElement.value_max_length
MAX_URL = ButtonElement.url_max_length
MAX_ID = InteractiveElement.action_id_max_length  # action_id, block_id, callback_id, external_id
MAX_MARKDOWN_TEXT = (
    MarkdownBlock.text_max_length
)  # per markdown block, and in total across a payload's markdown blocks
MAX_IMAGE_ALT_TEXT = ImageBlock.alt_text_max_length
MAX_IMAGE_TITLE = ImageBlock.title_max_length
MAX_INPUT_LABEL = InputBlock.label_max_length
MAX_INPUT_HINT = InputBlock.hint_max_length
MAX_PLACEHOLDER = InputInteractiveElement.placeholder_max_length
MAX_OPTION_TEXT = Option.label_max_length
MAX_OPTION_VALUE = Option.value_max_length
MAX_VIEW_TITLE = View.title_max_length  # also submit and close
MAX_PRIVATE_METADATA = View.private_metadata_max_length
MAX_CONFIRM: dict[str, int] = {
    "title": ConfirmObject.title_max_length,
    "text": ConfirmObject.text_max_length,
    "confirm": ConfirmObject.confirm_max_length,
    "deny": ConfirmObject.deny_max_length,
}
MAX_OPTIONS: dict[str, int] = {
    "static_select": StaticSelectElement.options_max_length,
    "multi_static_select": StaticMultiSelectElement.options_max_length,
    "overflow": OverflowMenuElement.options_max_length,
    "checkboxes": 10,
    "radio_buttons": 10,
}

BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "context_actions",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)
MESSAGE_ONLY_BLOCKS = frozenset({"file"})
TEXT_TYPES = ("plain_text", "mrkdwn")


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.markdown_total = 0

    def add(self, pointer: str, message: str) -> None:
        self.problems.append(f"{message} [json-pointer:{pointer}]")

    def length(self, value: object, pointer: str, limit: int, what: str) -> None:
        if value is not None and not isinstance(value, str):
            self.add(pointer, f"{what} must be a string")
        elif value is not None and len(value) > limit:
            self.add(pointer, f"{what} must be at most {limit} characters (got {len(value)})")

    def text(
        self,
        obj: object,
        pointer: str,
        what: str,
        limit: int | None,
        *,
        plain: bool = False,
        required: bool = True,
    ) -> None:
        """A text object: {"type": "plain_text" | "mrkdwn", "text": non-empty}."""
        if obj is None:
            if required:
                self.add(pointer, f"{what} is required")
            return
        if not isinstance(obj, dict):
            self.add(pointer, f"{what} must be a text object")
            return
        allowed = ("plain_text",) if plain else TEXT_TYPES
        if obj.get("type") not in allowed:
            got = obj.get("type")
            self.add(f"{pointer}/type", f"{what} type must be {' or '.join(allowed)} (got {got!r})")
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            self.add(f"{pointer}/text", f"{what} must be non-empty text")
        elif limit is not None:
            self.length(text, f"{pointer}/text", limit, what)

    def items(
        self, value: object, pointer: str, what: str, limit: int, *, minimum: int = 0
    ) -> list[Any]:
        """An array of at most `limit` items; returns it (empty if it is not an array)."""
        if not isinstance(value, list):
            if value is not None or minimum:
                self.add(pointer, f"{what} must be an array")
            return []
        if len(value) > limit:
            self.add(pointer, f"no more than {limit} items allowed in {what} (got {len(value)})")
        if len(value) < minimum:
            self.add(pointer, f"{what} must have at least {minimum} item(s)")
        return value


def _check_confirm(c: _Checker, confirm: object, pointer: str) -> None:
    if not isinstance(confirm, dict):
        c.add(pointer, "confirm must be an object")
        return
    for key, limit in MAX_CONFIRM.items():
        c.text(confirm.get(key), f"{pointer}/{key}", f"confirm {key}", limit, plain=key != "text")


def _check_image(c: _Checker, image: dict[str, Any], pointer: str) -> None:
    if image.get("image_url") is None and image.get("slack_file") is None:
        c.add(pointer, "image needs image_url or slack_file")
    c.length(image.get("image_url"), f"{pointer}/image_url", MAX_URL, "image_url")
    alt_text = image.get("alt_text")
    if not isinstance(alt_text, str) or not alt_text:
        c.add(f"{pointer}/alt_text", "image alt_text must be non-empty text")
    c.length(alt_text, f"{pointer}/alt_text", MAX_IMAGE_ALT_TEXT, "image alt_text")


def _check_element(c: _Checker, element: object, pointer: str, action_ids: set[str]) -> None:
    """An interactive element (or image) in a section accessory, actions or input block."""
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        c.add(pointer, "element must be an object with a type")
        return
    kind = element["type"]
    action_id = element.get("action_id")
    if action_id is not None:
        c.length(action_id, f"{pointer}/action_id", MAX_ID, "action_id")
        if isinstance(action_id, str):
            if action_id in action_ids:
                c.add(f"{pointer}/action_id", f"duplicate action_id {action_id!r} in this block")
            action_ids.add(action_id)
    if kind == "button":
        c.text(element.get("text"), f"{pointer}/text", "button text", MAX_BUTTON_TEXT, plain=True)
        c.length(element.get("value"), f"{pointer}/value", MAX_BUTTON_VALUE, "button value")
        c.length(element.get("url"), f"{pointer}/url", MAX_URL, "button url")
        label = element.get("accessibility_label")
        c.length(label, f"{pointer}/accessibility_label", MAX_BUTTON_TEXT, "accessibility_label")
        if element.get("style") not in (None, "primary", "danger"):
            c.add(f"{pointer}/style", "button style must be primary or danger")
    elif kind == "image":
        _check_image(c, element, pointer)
    if "placeholder" in element:
        placeholder = element["placeholder"]
        c.text(placeholder, f"{pointer}/placeholder", "placeholder", MAX_PLACEHOLDER, plain=True)
    if kind in MAX_OPTIONS:
        options = c.items(
            element.get("options"), f"{pointer}/options", "options", MAX_OPTIONS[kind]
        )
        for j, option in enumerate(options):
            where = f"{pointer}/options/{j}"
            if not isinstance(option, dict):
                c.add(where, "option must be an object")
                continue
            c.text(option.get("text"), f"{where}/text", "option text", MAX_OPTION_TEXT)
            c.length(option.get("value"), f"{where}/value", MAX_OPTION_VALUE, "option value")
    if "confirm" in element:
        _check_confirm(c, element["confirm"], f"{pointer}/confirm")


def _check_section(c: _Checker, block: dict[str, Any], pointer: str, action_ids: set[str]) -> None:
    text, fields = block.get("text"), block.get("fields")
    if text is None and not fields:
        c.add(pointer, "section must have text or fields")
    if text is not None:
        c.text(text, f"{pointer}/text", "section text", MAX_SECTION_TEXT)
    items = c.items(fields, f"{pointer}/fields", "section fields", MAX_SECTION_FIELDS)
    for j, item in enumerate(items):
        c.text(item, f"{pointer}/fields/{j}", "section field", MAX_FIELD_TEXT)
    if "accessory" in block:
        _check_element(c, block["accessory"], f"{pointer}/accessory", action_ids)


def _check_input(c: _Checker, block: dict[str, Any], pointer: str, action_ids: set[str]) -> None:
    c.text(block.get("label"), f"{pointer}/label", "input label", MAX_INPUT_LABEL, plain=True)
    c.text(
        block.get("hint"),
        f"{pointer}/hint",
        "input hint",
        MAX_INPUT_HINT,
        plain=True,
        required=False,
    )
    if block.get("element") is None:
        c.add(f"{pointer}/element", "input block needs an element")
    else:
        _check_element(c, block["element"], f"{pointer}/element", action_ids)


def _check_markdown(c: _Checker, block: dict[str, Any], pointer: str) -> None:
    text = block.get("text")
    if not isinstance(text, str) or not text:
        c.add(f"{pointer}/text", "markdown text must be non-empty text")
    elif len(text) > MAX_MARKDOWN_TEXT:
        c.length(text, f"{pointer}/text", MAX_MARKDOWN_TEXT, "markdown text")
    else:
        c.markdown_total += len(text)


def _check_block(c: _Checker, block: object, pointer: str, surface: Surface) -> None:
    if not isinstance(block, dict):
        c.add(pointer, "block must be an object")
        return
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        c.add(f"{pointer}/type", f"unknown block type {kind!r}")
        return
    if kind in MESSAGE_ONLY_BLOCKS and surface != "message":
        c.add(f"{pointer}/type", f"{kind} blocks are only allowed in messages")
    action_ids: set[str] = set()
    if kind == "section":
        _check_section(c, block, pointer, action_ids)
    elif kind == "header":
        c.text(block.get("text"), f"{pointer}/text", "header text", MAX_HEADER_TEXT, plain=True)
    elif kind == "context":
        where = f"{pointer}/elements"
        elements = c.items(
            block.get("elements"), where, "context elements", MAX_CONTEXT_ELEMENTS, minimum=1
        )
        for j, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") == "image":
                _check_image(c, element, f"{where}/{j}")
            else:
                c.text(element, f"{where}/{j}", "context element", None)
    elif kind == "actions":
        where = f"{pointer}/elements"
        elements = c.items(
            block.get("elements"), where, "actions elements", MAX_ACTIONS_ELEMENTS, minimum=1
        )
        for j, element in enumerate(elements):
            _check_element(c, element, f"{where}/{j}", action_ids)
    elif kind == "image":
        _check_image(c, block, pointer)
        c.text(
            block.get("title"),
            f"{pointer}/title",
            "image title",
            MAX_IMAGE_TITLE,
            plain=True,
            required=False,
        )
    elif kind == "input":
        _check_input(c, block, pointer, action_ids)
    elif kind == "markdown":
        _check_markdown(c, block, pointer)
    elif kind in ("rich_text", "context_actions"):
        c.items(block.get("elements"), f"{pointer}/elements", f"{kind} elements", 10**6, minimum=1)


def _check_blocks(c: _Checker, blocks: object, pointer: str, surface: Surface) -> None:
    if not isinstance(blocks, list):
        c.add(pointer, "blocks must be an array")
        return
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        c.add(pointer, f"no more than {limit} items allowed in a {surface} (got {len(blocks)})")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        _check_block(c, block, f"{pointer}/{i}", surface)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            c.length(block_id, f"{pointer}/{i}/block_id", MAX_ID, "block_id")
            if isinstance(block_id, str):
                if block_id in block_ids:
                    c.add(f"{pointer}/{i}/block_id", f"duplicate block_id {block_id!r}")
                block_ids.add(block_id)
    if c.markdown_total > MAX_MARKDOWN_TEXT:
        c.add(pointer, f"markdown blocks may hold {MAX_MARKDOWN_TEXT} characters in total")


def block_problems(blocks: list[dict[str, Any]], *, surface: Surface = "message") -> list[str]:
    """What Slack would reject in `blocks` on `surface` ([] when nothing)."""
    c = _Checker()
    _check_blocks(c, blocks, "/blocks", surface)
    return c.problems


def message_problems(payload: dict[str, Any]) -> list[str]:
    """What Slack would reject in a chat.postMessage / chat.update / response_url payload.

    A message needs text, blocks or attachments, unless it is a response_url
    `delete_original` request.
    """
    c = _Checker()
    text, blocks, attachments = (payload.get(k) for k in ("text", "blocks", "attachments"))
    if not (text or blocks or attachments or payload.get("delete_original") in (True, "true")):
        c.add("", "a message needs text, blocks or attachments")
    c.length(text, "/text", MAX_MESSAGE_TEXT, "text")
    if blocks is not None:
        _check_blocks(c, blocks, "/blocks", "message")
    c.items(attachments, "/attachments", "attachments", MAX_ATTACHMENTS)
    return c.problems


def view_problems(view: dict[str, Any]) -> list[str]:
    """What Slack would reject in a views.open/update/push/publish `view`."""
    c = _Checker()
    if not isinstance(view, dict):
        c.add("/view", "view must be an object")
        return c.problems
    kind = view.get("type")
    if kind not in ("modal", "home"):
        c.add("/view/type", f"view type must be modal or home (got {kind!r})")
    surface: Surface = "home" if kind == "home" else "modal"
    _check_blocks(c, view.get("blocks"), "/view/blocks", surface)
    if kind == "modal":
        c.text(view.get("title"), "/view/title", "modal title", MAX_VIEW_TITLE, plain=True)
        for key in ("submit", "close"):
            c.text(
                view.get(key),
                f"/view/{key}",
                f"modal {key}",
                MAX_VIEW_TITLE,
                plain=True,
                required=False,
            )
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            c.add("/view/submit", "a modal with input blocks needs submit")
    private = view.get("private_metadata")
    c.length(private, "/view/private_metadata", MAX_PRIVATE_METADATA, "private_metadata")
    for key in ("callback_id", "external_id"):
        c.length(view.get(key), f"/view/{key}", MAX_ID, key)
    return c.problems
