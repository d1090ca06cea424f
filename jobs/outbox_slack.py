"""A delivery's parts in Slack: posting each one, and finding one Slack may already have.

A delivery is a main message and then, in its thread, messages and files, posted in that
order. The main message carries metadata naming the delivery's key; each thread message
carries metadata naming the key and its part; each file has a name of its own in the thread.
When Slack's answer is lost (a timeout, a dropped connection, a 5xx, or an `ok: false` that
Slack says may have half-happened) the part may or may not be there: it is looked for by that
metadata or name, and posted again only if it is missing. Any other `ok: false` (ratelimited,
channel_not_found, ...) means Slack did not post it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

log = logging.getLogger(__name__)

METADATA_EVENT = "ofsted_delivery"  # the main message: {"key": <delivery key>}
PART_EVENT = "ofsted_delivery_part"  # a thread message: {"key": "<key>#<part>", ...}
MAYBE_DONE = {"fatal_error", "internal_error", "request_timeout", "service_unavailable"}
PAGES = 5  # pages of history or replies read when looking for a part

Where = tuple[str, str]  # channel id and ts of the main message


@dataclass(frozen=True)
class Part:
    """One message or file of a delivery."""

    kind: Literal["message", "reply", "file"]
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    filename: str = ""
    content: bytes = b""


def uncertain(exc: Exception) -> bool:
    """Whether Slack may have done the call although it failed (else it certainly did not)."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        return status >= 500 or exc.response.get("error") in MAYBE_DONE
    return isinstance(exc, SlackClientError | OSError | HTTPException | ValueError)


def error_of(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        return str(exc.response.get("error") or f"HTTP {status}")
    return repr(exc)[:200]


def posting_client(client: WebClient) -> WebClient:
    """The client without its own retries of 5xx answers and dropped connections (after which
    Slack may have the message): only 429s, which post nothing, are waited out."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )


def part_key(key: str, index: int) -> str:
    return f"{key}#{index}"


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    payload = (message.get("metadata") or {}).get("event_payload") or {}
    return payload if isinstance(payload, dict) else {}


class SlackParts:
    """Posting (with `poster`, no blind retries) and looking up (with `reader`) parts."""

    def __init__(self, reader: WebClient, poster: WebClient) -> None:
        self.reader = reader
        self.poster = poster
        self._channels: dict[str, str] = {}

    # -- posting -------------------------------------------------------------------------------

    def post(self, key: str, index: int, part: Part, recipient: str, where: Where | None) -> Where:
        if part.kind == "message":
            posted = self.poster.chat_postMessage(
                channel=recipient,
                text=part.text,
                blocks=part.blocks,
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}},
            )
            return str(posted["channel"]), str(posted["ts"])
        if where is None:
            raise ValueError("a thread part needs its main message")
        channel, ts = where
        if part.kind == "reply":
            payload = {"key": part_key(key, index), "delivery": key, "part": index}
            self.poster.chat_postMessage(
                channel=channel,
                thread_ts=ts,
                text=part.text,
                blocks=part.blocks,
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": PART_EVENT, "event_payload": payload},
            )
        else:
            self.poster.files_upload_v2(
                channel=channel,
                thread_ts=ts,
                content=part.content,
                filename=part.filename,
                title=part.filename,
            )
        return where

    # -- looking -------------------------------------------------------------------------------

    def find(self, key: str, index: int, part: Part, recipient: str, where: Where | None) -> bool:
        """Whether Slack has the part (for the main message, use `find_main`)."""
        if where is None:
            return False
        channel, ts = where
        for message in self._replies(channel, ts):
            if part.kind == "reply" and _payload(message).get("key") == part_key(key, index):
                return True
            if part.kind == "file" and any(
                f.get("name") == part.filename for f in message.get("files") or []
            ):
                return True
        return False

    def find_main(self, key: str, recipient: str, known: str | None = None) -> Where | None:
        """The main message by its key, in `known` (the recipient's conversation, from an
        earlier delivery) or the recipient's conversation looked up in Slack."""
        channel = known or self.channel_id(recipient)
        for message in self._pages(
            "conversations_history", channel=channel, include_all_metadata=True
        ):
            if _payload(message).get("key") == key and not message.get("thread_ts"):
                return channel, str(message["ts"])
        return None

    def channel_id(self, recipient: str) -> str:
        """The conversation a recipient's messages go to: a user's DM, a named channel's id."""
        if recipient not in self._channels:
            found = recipient
            if recipient.startswith(("U", "W")):
                found = str(self.reader.conversations_open(users=recipient)["channel"]["id"])
            elif recipient.startswith("#"):
                found = self._named(recipient[1:].lower()) or recipient
            self._channels[recipient] = found
        return self._channels[recipient]

    def _named(self, name: str) -> str | None:
        """A channel's id by its name (needs channels:read and groups:read)."""
        try:
            for channel in self._pages(
                "conversations_list",
                item="channels",
                types="public_channel,private_channel",
                exclude_archived=True,
            ):
                if channel.get("name") == name:
                    return str(channel["id"])
        except SlackApiError as exc:
            log.warning("cannot list channels to find #%s: %s", name, error_of(exc))
        return None

    def _replies(self, channel: str, ts: str) -> Iterator[dict[str, Any]]:
        return self._pages(
            "conversations_replies", channel=channel, ts=ts, include_all_metadata=True
        )

    def _pages(
        self, method: str, *, item: str = "messages", **args: Any
    ) -> Iterator[dict[str, Any]]:
        cursor = None
        for _ in range(PAGES):
            answer = getattr(self.reader, method)(limit=200, cursor=cursor, **args)
            yield from answer.get(item) or []
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return
