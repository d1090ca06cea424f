"""The fake Slack Web API's answers (`fakeslack` serves them): what each method does to a small
in-memory workspace (users, posted messages, files, reactions) and what it answers, as Slack
would, including its refusals of messages and views that break Block Kit's limits. Not
thread-safe: `FakeSlack` calls it with its lock held.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.devtools.block_limits import message_problems, view_problems
from bot.devtools.fakeslack_canvases import CANVAS_METHODS, Canvases
from bot.devtools.fakeslack_channels import Channels, dm_of
from bot.devtools.fakeslack_files import Files

Json = dict[str, Any]
Reply = tuple[int, Json | str, dict[str, str]]  # status, JSON or text body, extra headers

BOT_USER_ID, BOT_ID, TEAM_ID = "UBOT", "BBOT", "T0COUNCIL"
WORKSPACE_URL = "https://council.slack.com/"
# Slack answers a view that breaks Block Kit's limits with invalid_arguments (problems in
# response_metadata.messages); chat.* methods answer invalid_blocks (problems in errors).
VIEW_ERROR = "invalid_arguments"
AUTH_TEST: Json = {"ok": True, "url": WORKSPACE_URL, "team": "Council", "team_id": TEAM_ID}
AUTH_TEST |= {"user": "ofsted-bot", "user_id": BOT_USER_ID, "bot_id": BOT_ID}

_MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
_VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}
_MESSAGE_ECHO = ("blocks", "attachments", "thread_ts", "metadata")
# methods that name a conversation: by id (only these also by #name), where the bot must be in
# it to read or share (else not_in_channel)
_CHANNEL_METHODS = _MESSAGE_METHODS | {"chat.delete", "chat.getPermalink", "reactions.add"}
_CHANNEL_METHODS |= {"conversations.history", "conversations.replies", "conversations.join"}
_CHANNEL_METHODS |= {"conversations.info"}
_BY_NAME = {"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage"}
_MEMBERS_ONLY = {"conversations.history", "conversations.replies"}
_VIEW_DEFAULTS: Json = {"team_id": TEAM_ID, "bot_id": BOT_ID, "app_id": "AFAKE", "callback_id": ""}
_VIEW_DEFAULTS |= {"private_metadata": "", "state": {"values": {}}}
_NO_CHANNEL, _NO_MESSAGE = ("channel", "channel_not_found"), ("ts", "message_not_found")
_BAD = "invalid_arguments"
_REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {  # argument -> Slack's error without it
    "chat.postMessage": (_NO_CHANNEL,),
    "chat.postEphemeral": (_NO_CHANNEL, ("user", "user_not_found")),
    "chat.update": (_NO_CHANNEL, _NO_MESSAGE),
    "chat.delete": (_NO_CHANNEL, _NO_MESSAGE),
    "chat.getPermalink": (_NO_CHANNEL, ("message_ts", "message_not_found")),
    "conversations.info": (_NO_CHANNEL,),
    "conversations.join": (_NO_CHANNEL,),
    "conversations.history": (_NO_CHANNEL,),
    "files.info": (("file", "file_not_found"),),
    "users.info": (("user", "user_not_found"),),
    "reactions.add": (_NO_CHANNEL, ("timestamp", "bad_timestamp"), ("name", "invalid_name")),
    "views.open": (("trigger_id", _BAD),),
    "views.push": (("trigger_id", _BAD),),
    "views.publish": (("user_id", _BAD),),
    "files.getUploadURLExternal": (("filename", _BAD), ("length", _BAD)),
    "files.completeUploadExternal": (("files", _BAD),),
}


def err(error: str, **extra: Any) -> Json:
    return {"ok": False, "error": error, **extra}


def header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def message_error(args: Json) -> Json | None:
    """Slack's answer to a message that breaks the limits, or None when it is fine."""
    if isinstance(args.get("blocks"), str):
        return err("invalid_blocks_format")
    if not (problems := message_problems(args)):
        return None
    if not any(args.get(k) for k in ("text", "blocks", "attachments", "delete_original")):
        return err("no_text")
    if blocks := [p for p in problems if "[json-pointer:/blocks" in p]:
        metadata = {"messages": [f"[ERROR] {p}" for p in blocks]}
        return err("invalid_blocks", errors=blocks, response_metadata=metadata)
    attachments = any("[json-pointer:/attachments" in p for p in problems)
    return err("too_many_attachments" if attachments else "msg_too_long")


class Workspace:
    """What the fake Slack holds, and its answer to each Web API method."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock  # Slack's clock (epoch seconds): message ts, share delays, tiers
        self.users: dict[str, Json] = {}
        self.channels = Channels()
        self.canvases = Canvases(self.channels)
        self.files = Files(self.channels, self.post, (BOT_USER_ID, BOT_ID, TEAM_ID), WORKSPACE_URL)
        self.reactions: set[tuple[str, str, str]] = set()
        self.history: dict[str, list[dict[str, Any]]] = {}  # posted messages by channel id
        self.tiers: dict[str, Tier] = {}
        self.last_ts = 0.0
        self.responses: dict[str, Json] = {}  # response_url key -> its message, uses so far
        self.socket_mode: Callable[[], str] | None = None  # apps.connections.open's URLs

    def find_message(self, channel: str, ts: str) -> Json | None:
        return next((m for m in self.history.get(channel, []) if m["ts"] == ts), None)

    def update_message(self, channel: str, ts: str, args: Json) -> Json:
        """chat.update as Slack does it: a DM by its D id (not the user's id), only a message
        that is there, only the app's own; text and blocks replaced, metadata kept unless
        given, the message marked edited."""
        if channel[:1] in ("U", "W"):
            return err("channel_not_found")
        found = self.find_message(channel, ts)
        if found is None:
            return err("message_not_found")
        if found.get("bot_id") != BOT_ID:
            return err("cant_update_message")
        found["text"] = args.get("text") or ""
        for key in ("blocks", "attachments", "metadata"):
            if key in args:
                found[key] = args[key]
        found["edited"] = {"user": BOT_USER_ID, "ts": self.ts()}
        return {"ok": True, "channel": channel, "ts": ts, "text": found["text"], "message": found}

    def respond(self, key: str, args: Json) -> Reply:
        """A post to a response_url: up to 5 within 30 minutes (Slack's limit; the age is not
        modelled); `replace_original` replaces the message it came from (when it is known and
        not ephemeral), `delete_original` deletes it."""
        known = self.responses.setdefault(key, {"channel": None, "ts": None, "uses": 0})
        known["uses"] += 1
        if known["uses"] > 5:
            return 404, "used_url", {}
        if error := message_error(args):
            return 200, error, {}  # Slack answers 200 either way
        channel, ts = known["channel"], known["ts"]
        found = self.find_message(channel, ts) if channel and ts else None
        if found is not None and args.get("delete_original") in (True, "true"):
            self.history[channel].remove(found)
        elif found is not None and args.get("replace_original") in (True, "true"):
            found["text"] = args.get("text") or ""
            found["blocks"] = args.get("blocks") or []
            found["edited"] = {"user": BOT_USER_ID, "ts": self.ts()}
        return 200, {"ok": True}, {}

    def upload(self, file_id: str, data: bytes) -> Reply:
        return self.files.upload(file_id, data)

    def api(self, method: str, args: Json, headers: dict[str, str], root_url: str) -> Reply:
        auth = header(headers, "authorization")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else args.get("token")
        if method == "apps.connections.open":
            return 200, self.open_connection(str(token or "")), {}
        if not token or not str(token).startswith("xox"):
            return 200, err("invalid_auth" if token else "not_authed"), {}
        if (tier := self.tiers.get(method)) and (wait := tier.take(self.clock())):
            return 429, err("ratelimited"), {"Retry-After": str(wait)}
        if method in _MESSAGE_METHODS and (error := message_error(args)):
            return 200, error, {}
        if method in _VIEW_METHODS:
            view = args.get("view")
            if problems := view_problems(view) if isinstance(view, dict) else ["view is required"]:
                metadata = {"messages": [f"[ERROR] {p}" for p in problems]}
                return 200, err(VIEW_ERROR, errors=problems, response_metadata=metadata), {}
        self.files.settle(self.clock())
        return 200, self.answer(method, args, root_url), {}

    def open_connection(self, token: str) -> Json:
        """apps.connections.open: a Socket Mode URL, for an app-level (xapp-) token only."""
        if not token:
            return err("not_authed")
        if not token.startswith("xapp-"):
            return err("not_allowed_token_type")
        if self.socket_mode is None:  # the fake's own word: no FakeSocketMode is running
            return err("fakeslack_no_socket_mode_server")
        return {"ok": True, "url": self.socket_mode()}

    def ts(self) -> str:
        """A new message's ts: Slack's clock, unique and increasing."""
        self.last_ts = max(round(self.clock(), 6), round(self.last_ts + 0.000001, 6))
        return f"{self.last_ts:.6f}"

    def post(self, channel: str, message: Json) -> str:
        message["ts"] = ts = self.ts()
        self.history.setdefault(channel, []).append(message)
        return ts

    def answer(self, method: str, args: Json, root_url: str) -> Json:  # lock held
        for key, error in _REQUIRED.get(method, ()):
            if not args.get(key):
                return err(error)
        if method in CANVAS_METHODS:
            return self.canvases.answer(method, args)
        channel = dm_of(str(args.get("channel") or ""))
        if method in _CHANNEL_METHODS and channel:
            names, read = method in _BY_NAME, method in _MEMBERS_ONLY
            found = self.channels.resolve(channel, names=names, read=read)
            if isinstance(found, dict):
                return found
            channel = found
        ts, text, ok = str(args.get("ts") or ""), args.get("text") or "", {"ok": True}
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID}
        message |= {k: args[k] for k in _MESSAGE_ECHO if args.get(k)} | {"text": text}
        match method:
            case "auth.test":
                return dict(AUTH_TEST)
            case "chat.postMessage":
                ts = self.post(channel, message)
                return ok | {"channel": channel, "ts": ts, "message": message}
            case "conversations.history" | "conversations.replies":
                return self.read_conversations(method, channel, ts, args)
            case "conversations.list":
                return self.channels.page(args)
            case "conversations.join":
                return self.channels.join(channel)
            case "conversations.info":
                return self.channels.info(channel)
            case "chat.postEphemeral":
                return ok | {"message_ts": self.ts()}
            case "chat.update":
                return self.update_message(str(args.get("channel") or ""), ts, args)
            case "chat.delete":
                return ok | {"channel": channel, "ts": ts}
            case "chat.getPermalink":
                p_ts = str(args["message_ts"]).replace(".", "")
                link = f"{WORKSPACE_URL}archives/{channel}/p{p_ts}"
                return ok | {"channel": channel, "permalink": link}
            case "conversations.open":
                return _open(args)
            case "users.info" | "users.list":
                return self.people(method, args)
            case "reactions.add":
                reaction = (channel, str(args["timestamp"]), str(args["name"]))
                if reaction in self.reactions:
                    return err("already_reacted")
                self.reactions.add(reaction)
                return ok
            case "views.open" | "views.update" | "views.push" | "views.publish":
                return self.show_view(args)
            case "files.getUploadURLExternal":
                return self.files.upload_url(args, root_url)
            case "files.completeUploadExternal":
                return self.files.complete(args, self.clock())
            case "files.info":
                return self.files.info(args, self.clock())
        return ok

    def read_conversations(self, method: str, channel: str, ts: str, args: Json) -> Json:
        ok: Json = {"ok": True}
        limit = int(args.get("limit") or (100 if method == "conversations.history" else 1000))
        if tier := self.tiers.get(method):
            limit = min(limit, tier.max_limit)
        posted = self.history.get(channel, [])
        if method == "conversations.history":  # newest first; no thread replies
            top = [m for m in reversed(posted) if m.get("thread_ts", m["ts"]) == m["ts"]]
            found = [m for m in top if _in_range(m["ts"], args)]
            return ok | {"messages": found[:limit], "has_more": len(found) > limit}
        # conversations.replies: the parent, then its replies (those in range), oldest first
        thread = [m for m in posted if ts and ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            return err("thread_not_found")
        found = thread[:1] + [m for m in thread[1:] if _in_range(m["ts"], args)]
        return ok | {"messages": found[:limit], "has_more": len(found) > limit}

    def people(self, method: str, args: Json) -> Json:
        """`users.info`: the member (deactivated ones too), or `user_not_found`.
        `users.list`: every member (deactivated ones and bots too), a page at a time: at
        most `limit` (Slack: no more than 1,000 and, past 200, maybe fewer), then
        `response_metadata.next_cursor` for the next page, empty on the last."""
        if method == "users.info":
            user = self.users.get(str(args["user"]))
            return {"ok": True, "user": user} if user is not None else err("user_not_found")
        try:
            limit = max(1, min(int(args.get("limit") or 0) or 1000, 1000))
            start = int(str(args.get("cursor") or "user:0").partition(":")[2])
        except ValueError:
            return err("invalid_cursor")
        members = sorted(self.users.values(), key=lambda u: str(u["id"]))
        page = members[start : start + limit]
        more = start + limit < len(members)
        cursor = f"user:{start + limit}" if more else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def show_view(self, args: Json) -> Json:
        view_id = str(args.get("view_id") or f"VFAKE{self.ts().replace('.', '')}")
        view = _VIEW_DEFAULTS | {"root_view_id": view_id, "hash": uuid.uuid4().hex}
        return {"ok": True, "view": view | args["view"] | {"id": view_id}}


def _open(args: Json) -> Json:
    """conversations.open: the DM with one user (`D` + their id here), or a group DM."""
    users = args.get("users") or ""
    ids = users if isinstance(users, list) else [u for u in str(users).split(",") if u]
    if not (dm := args.get("channel") or "".join(ids)):
        return err("users_list_not_supplied")
    dm = dm if args.get("channel") else ("D" if len(ids) == 1 else "G") + dm
    return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": dm}}


def _in_range(ts: str, args: Json) -> bool:
    """Slack's oldest/latest (exclusive unless `inclusive`)."""
    inclusive = str(args.get("inclusive") or "").lower() in ("1", "true")
    oldest, latest, at = float(args.get("oldest") or 0), args.get("latest"), float(ts)
    after = at >= oldest if inclusive else at > oldest
    if latest in (None, ""):
        return after
    before = at <= float(str(latest)) if inclusive else at < float(str(latest))
    return after and before


@dataclass
class Tier:
    """A method's rate limit: `calls` per `per` seconds (then 429 with Retry-After), and the
    most messages one call answers (`limit` above it is lowered to it)."""

    calls: int
    per: float
    max_limit: int = 1000
    made: list[float] = field(default_factory=list)

    def take(self, now: float) -> int:
        """0 when a call may be made now (and it is counted), else the seconds to wait."""
        self.made = [t for t in self.made if t > now - self.per]
        if len(self.made) >= self.calls:
            return max(1, math.ceil(self.made[0] + self.per - now))
        self.made.append(now)
        return 0
