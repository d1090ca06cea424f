"""Building requests exactly as Slack sends them, signed with the signing secret.

Used by the console (which drives the real Bolt app without Slack), the tests and the
benchmarks. Slash commands are form-encoded; interactivity is form-encoded `payload=<json>`;
events are JSON. Each carries `X-Slack-Request-Timestamp` and `X-Slack-Signature`
(`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0COUNCIL"
APP_ID = "A0OFSTED"


def signed_headers(
    secret: str,
    body: str,
    *,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature or "",
    }


def slash_command_fields(
    text: str,
    *,
    user_id: str,
    response_url: str,
    channel_id: str = "C0PRACTICE",
    channel_name: str = "practice",
    user_name: str = "",
    command: str = "/ofsted",
) -> dict[str, str]:
    """A slash command's fields: form-encoded over HTTP, a JSON object in a Socket Mode
    envelope's payload."""
    return {
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "council",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}",
    }


def slash_command_body(text: str, **fields: Any) -> str:
    return urlencode(slash_command_fields(text, **fields))


def block_actions_body(
    action: dict[str, Any],
    *,
    user_id: str,
    response_url: str,
    channel_id: str = "C0PRACTICE",
    message: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
) -> str:
    """`payload=` form body of a button press (`block_actions`)."""
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "container": container
        or {"type": "message", "message_ts": "0", "channel_id": channel_id, "is_ephemeral": True},
        "trigger_id": f"{int(time.time())}.1.{uuid.uuid4().hex[:16]}",
        "team": {"id": TEAM_ID, "domain": "council"},
        "channel": {"id": channel_id, "name": "practice"},
        "response_url": response_url,
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }
    if message is not None:
        payload["message"] = message
    return urlencode({"payload": json.dumps(payload)})


def event_body(
    event: dict[str, Any], *, event_id: str | None = None, event_time: int | None = None
) -> str:
    """An Events API `event_callback` envelope (JSON)."""
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": event_time or int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True}],
        }
    )


def view_submission_body(
    view: dict[str, Any], values: dict[str, dict[str, Any]], *, user_id: str
) -> str:
    """`payload=` form body of a submitted modal, its state in Slack's shape."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "council"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "trigger_id": f"{int(time.time())}.2.{uuid.uuid4().hex[:16]}",
        "view": {
            **view,
            "id": view.get("id", "V0CONSOLE"),
            "team_id": TEAM_ID,
            "state": {"values": {block: {"value": value} for block, value in values.items()}},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "app_id": APP_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload)})


def message_event(
    *,
    user_id: str,
    channel: str,
    text: str,
    ts: str,
    thread_ts: str | None = None,
    channel_type: str = "channel",
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "user": user_id,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
        "team": TEAM_ID,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def slack_wire(typed: str) -> str:
    """Text as Slack's client sends what a person typed: `&`, `<` and `>` escaped, each URL
    marked up as a link (`<https://…>`). Mentions, channels and labelled links are markup the
    caller writes in (`<@U0DIANA>`, `<https://…|the minutes>`): the client makes them from
    what was picked, not from the characters typed."""
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"https?://[^\s|]+?(?=[.,;:!?)]*(?:\s|$))", lambda m: f"<{m[0]}>", escaped)


def message_change_event(
    *, user_id: str, sent: dict[str, Any], text: str | None, ts: str, replies: int = 0
) -> dict[str, Any]:
    """The event Slack sends when `user_id` edits the message `sent` (channel, ts, text and
    maybe thread_ts) to `text`, or deletes it (`text` None). A deleted message that has
    `replies` is not removed but replaced by a tombstone: Slack says so with message_changed
    (its `message` from USLACKBOT, "This message was deleted."), not message_deleted."""
    old = {
        "type": "message",
        "user": user_id,
        "text": sent["text"],
        "ts": sent["ts"],
        **({"thread_ts": sent["thread_ts"]} if "thread_ts" in sent else {}),
    }
    common = {"type": "message", "hidden": True, "channel": sent["channel"], "ts": ts}
    common |= {"event_ts": ts, "previous_message": old}
    if text is None and replies:
        return common | {"subtype": "message_changed", "message": tombstone(sent, replies)}
    if text is None:
        return common | {"subtype": "message_deleted", "deleted_ts": sent["ts"]}
    return common | {"subtype": "message_changed", "message": {**old, "text": text}}


def tombstone(sent: dict[str, Any], replies: int) -> dict[str, Any]:
    """What Slack leaves where a message that has replies was deleted."""
    return {
        "type": "message",
        "subtype": "tombstone",
        "text": "This message was deleted.",
        "user": "USLACKBOT",
        "hidden": True,
        "ts": sent["ts"],
        "thread_ts": sent["ts"],
        "reply_count": replies,
        "reply_users_count": 1,
        "is_locked": False,
    }


def shared_file(
    file_id: str, name: str, user_id: str, *, mimetype: str = "application/pdf"
) -> dict[str, Any]:
    """A file object as a file_share message event carries it (the fields the bot may read)."""
    stem, _, ext = name.rpartition(".")
    return {
        "id": file_id,
        "created": int(time.time()),
        "timestamp": int(time.time()),
        "name": name,
        "title": stem or name,
        "mimetype": mimetype,
        "filetype": ext.lower(),
        "pretty_type": ext.upper(),
        "user": user_id,
        "user_team": TEAM_ID,
        "editable": False,
        "size": 48213,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": True,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/{name}",
        "url_private_download": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/download/{name}",
        "permalink": f"https://council.slack.com/files/{user_id}/{file_id}/{name}",
        "permalink_public": f"https://slack-files.com/{TEAM_ID}-{file_id}-0a1b2c3d4e",
        "has_rich_preview": False,
        "file_access": "visible",
    }
