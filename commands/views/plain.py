"""slack_sdk Block Kit objects as plain dicts, without slack_sdk's validation on every request.

The views build Slack's JSON directly (commands/views/kit.py's builders); the few slack_sdk
models some of them still use (App Home, forms, help) go through `plain()`. slack_sdk's
`to_dict()` validates every object and then walks each nested object twice, on every request.
`plain()` gives the same dict as `to_dict()` in one walk
and validates nothing; classes that override `to_dict()` (options and the like, which shape
their output) still go through their own. The validation is in the tests: the test driver
(tests/slackdriver.py) parses every message it sees back into slack_sdk's models, validates it
and checks it comes out the same; tests/test_request_path.py checks the builders and `plain()`
against `to_dict()`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from slack_sdk.models.basic_objects import EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST, JsonObject

_EMPTY_ALLOWED = frozenset((e["type"], e["property"]) for e in EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST)


@cache
def _own_to_dict(cls: type) -> bool:
    return getattr(cls, "to_dict", None) is not JsonObject.to_dict


def plain(value: Any) -> Any:
    """`value.to_dict()` for a slack_sdk object (lists and dicts walked), unvalidated."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, JsonObject):
        if _own_to_dict(type(value)):
            return {k: plain(v) for k, v in value.to_dict().items()}
        kind = getattr(value, "type", None)
        out: dict[str, Any] = {}
        for key in sorted(value.attributes):
            item = value.get_object_attribute(key)
            if item is None:
                continue
            if (kind, key) not in _EMPTY_ALLOWED and hasattr(item, "__len__") and not len(item):
                continue
            out[key] = plain(item)
        return out
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
