"""A delivery's parts in Slack: posting each one, and finding one Slack may already have.

A delivery is a main message and then, in its thread, messages and files, posted in that order;
a digest to a channel then keeps the channel's canvas (jobs/outbox_canvas.py). The main message
carries metadata naming the delivery's key; each thread message carries metadata naming the key
and its part; each file is known by the id Slack gave it at upload. When Slack's answer is not a
definite Slack error (a timeout, a dropped connection, a 5xx, a body that is not Slack's JSON,
or an `ok: false` that Slack says may have half-happened) the part may or may not be there: once
Slack has certainly finished with the call it is looked for, by that metadata in one read of
history around the time it was sent (`oldest`/`latest`, a small `limit`: one call suffices at
Slack's lowest tier) or, for a file, by its `shares` in `files.info` (Slack shares files
asynchronously: the thread's visible files do not say). A 429 while looking is
`RateLimitedError`: the caller tries later, it does not wait here.

A board's channel is named in the plan; `resolve` finds its id in `conversations.list`, every
page of it, and `join` puts the bot in a public channel (Slack sends no events, and refuses
file shares and history, where it is not a member; a private channel needs an invitation).
"""

from __future__ import annotations

import logging
import re
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from jobs.outbox_canvas import keep_channel_canvas

log = logging.getLogger(__name__)

METADATA_EVENT = "ofsted_delivery"  # the main message: {"key": <delivery key>}
PART_EVENT = "ofsted_delivery_part"  # a thread message: {"key": "<key>#<part>", ...}
MAYBE_DONE = {"fatal_error", "internal_error", "request_timeout", "service_unavailable"}
PAGES = 5  # pages of history or replies read when looking for a part
LOOK_LIMIT = 15  # messages a look-up asks for: the most a call answers at Slack's lowest tier
SKEW = 60.0  # seconds either side of a send's time a look-up also reads (clocks differ)
_SLACK_ERROR = re.compile(r"^[a-z][a-z0-9_]*$")  # Slack's error codes, not a proxy's page

Where = tuple[str, str]  # channel id and ts of the main message
Window = tuple[float, float] | None  # Slack's ts around a send, to look between


@dataclass(frozen=True)
class Part:
    """One message or file of a delivery."""

    kind: Literal["message", "reply", "file", "canvas"]  # a canvas: filename is its title
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    filename: str = ""
    content: bytes = b""


class RateLimitedError(Exception):
    """Slack answered 429 to a look-up: try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"ratelimited (retry after {retry_after} s)")
        self.retry_after = retry_after


def uncertain(exc: Exception) -> bool:
    """Whether Slack may have done the call although it failed. Only a definite Slack error
    (an `ok: false` with one of Slack's error codes, below 500, not one that Slack says may
    have half-happened) means it certainly did not."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        error = exc.response.get("error")
        definite = isinstance(error, str) and bool(_SLACK_ERROR.match(error))
        return status >= 500 or not definite or error in MAYBE_DONE
    return True


def error_of(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        error = exc.response.get("error")
        if isinstance(error, str) and _SLACK_ERROR.match(error):
            return error
        return f"HTTP {status}, not Slack's answer" if error else f"HTTP {status}"
    return repr(exc)[:200]


def _retry_after(exc: SlackApiError) -> int | None:
    if getattr(exc.response, "status_code", 200) != 429:
        return None
    headers = getattr(exc.response, "headers", {}) or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "1")
    value = value[0] if isinstance(value, list) else value
    return int(value) if str(value).isdigit() else 1


def posting_client(client: WebClient) -> WebClient:
    """The client without its own retries of 5xx answers and dropped connections (after which
    Slack may have the message): only 429s, which post nothing, are waited out."""
    return _copy(client, [RateLimitErrorRetryHandler(max_retry_count=3)])


def reading_client(client: WebClient) -> WebClient:
    """The client for look-ups: no retries at all (a 429 is the caller's to defer)."""
    return _copy(client, [])


def _copy(client: WebClient, handlers: list[Any]) -> WebClient:
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        retry_handlers=handlers,
    )


def part_key(key: str, index: int) -> str:
    return f"{key}#{index}"


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    payload = (message.get("metadata") or {}).get("event_payload") or {}
    return payload if isinstance(payload, dict) else {}


def shared_in(file: dict[str, Any], where: Where) -> bool:
    """Whether files.info's file shows it shared in the thread (or the channel) of `where`."""
    channel, ts = where
    shares = file.get("shares") or {}
    for kind in ("public", "private"):
        for share in (shares.get(kind) or {}).get(channel) or []:
            if share.get("thread_ts") in (None, ts) or share.get("ts") == ts:
                return True
    return False


class SlackParts:
    """Posting (with `poster`, no blind retries) and looking up (with `reader`) parts."""

    def __init__(self, reader: WebClient, poster: WebClient) -> None:
        self.reader = reading_client(reader)
        self.poster = poster
        self._channels: dict[str, str] = {}

    # -- posting -------------------------------------------------------------------------------

    def post(
        self,
        key: str,
        index: int,
        part: Part,
        recipient: str,
        where: Where | None,
        on_file: Callable[[str], None] | None = None,
    ) -> Where:
        """Post a part to `recipient` (a user id, or a channel's id); `on_file` is told the
        file's id before Slack is asked to share it."""
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
        elif part.kind == "canvas":
            keep_channel_canvas(self.poster, channel, part.filename, part.text)
        else:
            self._share_file(part, where, on_file)
        return where

    def _share_file(self, part: Part, where: Where, on_file: Callable[[str], None] | None) -> None:
        """Slack's three steps (files_upload_v2's), with the file id kept before the share."""
        asked = self.poster.files_getUploadURLExternal(
            filename=part.filename, length=len(part.content)
        )
        file_id, url = str(asked["file_id"]), str(asked["upload_url"])
        if not url.startswith(("https://", "http://")):
            raise HTTPException(f"an upload URL that is not HTTP: {url[:40]!r}")
        request = urllib.request.Request(  # noqa: S310 (checked just above)
            url,
            data=part.content,
            method="POST",
            headers={"Content-Type": "application/octet-stream"},
        )
        with urllib.request.urlopen(request, timeout=self.poster.timeout) as answer:  # noqa: S310
            if answer.status != 200:
                raise HTTPException(f"upload answered {answer.status}")
        if on_file is not None:
            on_file(file_id)
        channel, ts = where
        self.poster.files_completeUploadExternal(
            files=[{"id": file_id, "title": part.filename}], channel_id=channel, thread_ts=ts
        )

    # -- looking -------------------------------------------------------------------------------

    def find(
        self,
        key: str,
        index: int,
        part: Part,
        where: Where | None,
        window: Window = None,
        file_id: str | None = None,
    ) -> bool:
        """Whether Slack has a thread part (for the main message, use `find_main`)."""
        if where is None or part.kind == "canvas":  # kept again: replacing it is idempotent
            return False
        if part.kind == "file":
            return file_id is not None and self.file_shared(file_id, where)
        channel, ts = where
        for message in self._pages(
            "conversations_replies",
            channel=channel,
            ts=ts,
            include_all_metadata=True,
            **_bounds(window),
        ):
            if _payload(message).get("key") == part_key(key, index):
                return True
        return False

    def file_shared(self, file_id: str, where: Where) -> bool:
        """Whether the file Slack gave this id is shared in the thread, by its `shares`."""
        try:
            answer = self._call("files_info", file=file_id)
        except SlackApiError as exc:
            if exc.response.get("error") == "file_not_found":  # never completed: not shared
                return False
            raise
        return shared_in(answer.get("file") or {}, where)

    def find_main(self, key: str, channel: str, window: Window = None) -> Where | None:
        """The main message by its key in the conversation `channel` (an id)."""
        for message in self._pages(
            "conversations_history", channel=channel, include_all_metadata=True, **_bounds(window)
        ):
            if _payload(message).get("key") == key and not message.get("thread_ts"):
                return channel, str(message["ts"])
        return None

    def dm_id(self, user: str) -> str:
        """The id of the bot's DM with a user."""
        if user not in self._channels:
            opened = self._call("conversations_open", users=user)
            self._channels[user] = str(opened["channel"]["id"])
        return self._channels[user]

    # -- channels ------------------------------------------------------------------------------

    def resolve(self, name: str) -> dict[str, Any] | None:
        """A channel by name, from every page of conversations.list (public channels, and the
        private ones the bot is in); None: Slack has no such channel the bot can see."""
        for channel in self._pages(
            "conversations_list",
            item="channels",
            pages=None,
            limit=1000,
            types="public_channel,private_channel",
            exclude_archived=True,
        ):
            if channel.get("name") == name:
                return dict(channel)
        return None

    def join(self, channel: str) -> dict[str, Any] | None:
        """Put the bot in a public channel; None for a private one (it must be invited)."""
        try:
            return dict(self._call("conversations_join", channel=channel).get("channel") or {})
        except SlackApiError as exc:
            if exc.response.get("error") == "method_not_supported_for_channel_type":
                return None
            raise

    def _call(self, method: str, **args: Any) -> Any:
        try:
            return getattr(self.reader, method)(**args)
        except SlackApiError as exc:
            if (wait := _retry_after(exc)) is not None:
                raise RateLimitedError(wait) from exc
            raise

    def _pages(
        self, method: str, *, item: str = "messages", pages: int | None = PAGES, **args: Any
    ) -> Iterator[dict[str, Any]]:
        cursor, read = None, 0
        args.setdefault("limit", LOOK_LIMIT)
        while pages is None or read < pages:
            answer = self._call(method, cursor=cursor, **args)
            read += 1
            yield from answer.get(item) or []
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return


def _bounds(window: Window) -> dict[str, Any]:
    """oldest/latest around a send (None: the newest messages)."""
    if window is None:
        return {}
    return {"oldest": f"{window[0] - SKEW:.6f}", "latest": f"{window[1] + SKEW:.6f}"}
