"""The fake Slack Web API's answers (`fakeslack` serves them): what each method does to a small
in-memory workspace (users, posted messages, files, reactions) and what it answers, as Slack
would, including its refusals of messages and views that break Block Kit's limits. Not
thread-safe: `FakeSlack` calls it with its lock held.
"""

from __future__ import annotations

import uuid
from typing import Any

from bot.devtools.block_limits import message_problems, view_problems

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
_CHANNEL_KINDS = {"channel": "C", "im": "D", "private": "G"}
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

    def __init__(self) -> None:
        self.users: dict[str, Json] = {}
        self.files: dict[str, Json] = {}
        self.content: dict[str, bytes] = {}  # uploaded bytes by file id
        self.reactions: set[tuple[str, str, str]] = set()
        self.history: dict[str, list[dict[str, Any]]] = {}  # posted messages by channel
        self.counter = 0

    def upload(self, file_id: str, data: bytes) -> Reply:
        if (record := self.files.get(file_id)) is None:
            return 404, "file_not_found", {}
        record.update(size=len(data), uploaded=True)
        self.content[file_id] = data
        return 200, f"OK - {len(data)}", {}

    def api(self, method: str, args: Json, headers: dict[str, str], root_url: str) -> Reply:
        auth = header(headers, "authorization")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else args.get("token")
        if not token or not str(token).startswith("xox"):
            return 200, err("invalid_auth" if token else "not_authed"), {}
        if method in _MESSAGE_METHODS and (error := message_error(args)):
            return 200, error, {}
        if method in _VIEW_METHODS:
            view = args.get("view")
            if problems := view_problems(view) if isinstance(view, dict) else ["view is required"]:
                metadata = {"messages": [f"[ERROR] {p}" for p in problems]}
                return 200, err(VIEW_ERROR, errors=problems, response_metadata=metadata), {}
        return 200, self.answer(method, args, root_url), {}

    def ts(self) -> str:
        self.counter += 1
        micros = 1_700_000_000_000_000 + 100 * self.counter
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def answer(self, method: str, args: Json, root_url: str) -> Json:  # lock held
        for key, error in _REQUIRED.get(method, ()):
            if not args.get(key):
                return err(error)
        channel = str(args.get("channel") or "")
        channel = "D" + channel if channel[:1] in ("U", "W") else channel  # a DM with a user
        ts, text, ok = str(args.get("ts") or ""), args.get("text") or "", {"ok": True}
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID}
        message |= {k: args[k] for k in _MESSAGE_ECHO if args.get(k)} | {"text": text}
        match method:
            case "auth.test":
                return dict(AUTH_TEST)
            case "chat.postMessage":
                message["ts"] = ts = self.ts()
                if isinstance(args.get("metadata"), dict):
                    message["metadata"] = args["metadata"]
                self.history.setdefault(channel, []).append(message)
                return ok | {"channel": channel, "ts": ts, "message": message}
            case "conversations.history" | "conversations.list" | "conversations.replies":
                return self.read_conversations(method, channel, ts, args)
            case "chat.postEphemeral":
                return ok | {"message_ts": self.ts()}
            case "chat.update":
                message["ts"] = ts
                return ok | {"channel": channel, "ts": ts, "text": text, "message": message}
            case "chat.delete":
                return ok | {"channel": channel, "ts": ts}
            case "chat.getPermalink":
                p_ts = str(args["message_ts"]).replace(".", "")
                return ok | {
                    "channel": channel,
                    "permalink": f"{WORKSPACE_URL}archives/{channel}/p{p_ts}",
                }
            case "conversations.open":
                users = args.get("users") or ""
                ids = users if isinstance(users, list) else [u for u in str(users).split(",") if u]
                if not (dm := args.get("channel") or "".join(ids)):
                    return err("users_list_not_supplied")
                dm = dm if args.get("channel") else ("D" if len(ids) == 1 else "G") + dm
                return ok | {"no_op": False, "already_open": False, "channel": {"id": dm}}
            case "conversations.info":
                info: Json = {f"is_{k}": channel[:1] == v for k, v in _CHANNEL_KINDS.items()}
                info |= {"id": channel, "name": channel.lower(), "is_member": True}
                return ok | {"channel": info | {"is_archived": False}}
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
                return self.upload_url(args, root_url)
            case "files.completeUploadExternal":
                return self.complete_upload(args)
        return ok

    def read_conversations(self, method: str, channel: str, ts: str, args: Json) -> Json:
        ok: Json = {"ok": True}
        if method == "conversations.history":  # newest first; no thread replies
            posted = [
                m
                for m in reversed(self.history.get(channel, []))
                if m.get("thread_ts", m["ts"]) == m["ts"]
            ]
            limit = int(args.get("limit") or 100)
            return ok | {"messages": posted[:limit], "has_more": len(posted) > limit}
        if method == "conversations.list":  # the channels posted to, named as posted
            named = [c for c in self.history if c[:1] not in ("D", "G")]
            found = [{"id": c, "name": c.lstrip("#").lower(), "is_member": True} for c in named]
            return ok | {"channels": found, "response_metadata": {"next_cursor": ""}}
        # conversations.replies: the parent, then its replies, oldest first
        if not ts:
            return err("thread_not_found")
        thread = [m for m in self.history.get(channel, []) if ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            return err("thread_not_found")
        limit = int(args.get("limit") or 1000)
        return ok | {"messages": thread[:limit], "has_more": len(thread) > limit}

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
        self.counter += 1
        view_id = str(args.get("view_id") or f"VFAKE{self.counter:06d}")
        view = _VIEW_DEFAULTS | {"root_view_id": view_id, "hash": uuid.uuid4().hex}
        return {"ok": True, "view": view | args["view"] | {"id": view_id}}

    def upload_url(self, args: Json, root_url: str) -> Json:
        self.counter += 1
        file_id = f"FFAKE{self.counter:06d}"
        name = str(args["filename"])
        self.files[file_id] = {"id": file_id, "name": name, "size": 0, "uploaded": False}
        return {"ok": True, "upload_url": f"{root_url}/upload/{file_id}", "file_id": file_id}

    def complete_upload(self, args: Json) -> Json:
        channel, done = args.get("channel_id"), []
        channel = (
            "D" + channel if isinstance(channel, str) and channel[:1] in ("U", "W") else channel
        )
        for item in args["files"] if isinstance(args["files"], list) else []:
            item = item if isinstance(item, dict) else {"id": item}
            record = self.files.get(str(item.get("id")))
            if record is None or not record["uploaded"]:
                return err("file_not_found")
            record["title"] = item.get("title") or record["name"]
            link = f"{WORKSPACE_URL}files/{BOT_USER_ID}/{record['id']}/{record['name']}"
            shared = {"channels": [channel] if channel else [], "permalink": link}
            done.append({k: v for k, v in record.items() if k != "uploaded"} | shared)
        if not done:
            return err("invalid_arguments")
        if channel:  # the share is a message in the channel (or the thread) with the files
            message: Json = {"type": "message", "subtype": "file_share", "user": BOT_USER_ID}
            message |= {"bot_id": BOT_ID, "text": args.get("initial_comment") or ""}
            message |= {"ts": self.ts(), "upload": True, "files": done}
            if args.get("thread_ts"):
                message["thread_ts"] = str(args["thread_ts"])
            self.history.setdefault(str(channel), []).append(message)
        return {"ok": True, "files": done}
