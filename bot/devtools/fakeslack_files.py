"""The fake Slack's files: uploads (`files.getUploadURLExternal`, the upload URL,
`files.completeUploadExternal`) and `files.info`, as Slack documents them.

Slack shares a completed upload asynchronously: `files.completeUploadExternal` answers at once,
and the file appears in the channel (or thread) as a `file_share` message, and in the file's
`shares` (`files.info`), a few seconds later. The fake holds each share back for `delay`
seconds (by its clock); until then `files.info` shows the file with no `shares` and no
`channels`. Sharing to a public channel the bot has not joined is `not_in_channel`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.devtools.fakeslack_channels import Channels

Json = dict[str, Any]
Reply = tuple[int, Json | str, dict[str, str]]


@dataclass
class _Share:
    due: float  # the fake's clock
    channel: str
    thread_ts: str | None
    comment: str
    files: list[str]


class Files:
    """Uploaded files and their shares. Not thread-safe: the fake's lock is held."""

    def __init__(
        self,
        channels: Channels,
        post: Callable[[str, Json], str],
        bot: tuple[str, str, str],
        workspace_url: str,
    ) -> None:
        self.channels = channels
        self.post = post  # appends a message to a conversation, answers its ts
        self.bot_user, self.bot_id, self.team = bot
        self.workspace_url = workspace_url
        self.records: dict[str, Json] = {}
        self.content: dict[str, bytes] = {}  # uploaded bytes by file id
        self.pending: list[_Share] = []
        self.delay = 0.0  # seconds a share takes to appear
        self.counter = 0

    def upload_url(self, args: Json, root_url: str) -> Json:
        self.counter += 1
        file_id = f"F0FAKE{self.counter:06d}"
        name = str(args["filename"])
        link = f"{self.workspace_url}files/{self.bot_user}/{file_id}/{name}"
        self.records[file_id] = {
            "id": file_id,
            "name": name,
            "title": name,
            "size": 0,
            "user": self.bot_user,
            "permalink": link,
            "uploaded": False,
            "completed": False,
            "shares": {},
            "channels": [],
            "groups": [],
            "ims": [],
        }
        return {"ok": True, "upload_url": f"{root_url}/upload/{file_id}", "file_id": file_id}

    def upload(self, file_id: str, data: bytes) -> Reply:
        if (record := self.records.get(file_id)) is None:
            return 404, "file_not_found", {}
        record.update(size=len(data), uploaded=True)
        self.content[file_id] = data
        return 200, f"OK - {len(data)}", {}

    def public(self, record: Json) -> Json:
        return {k: v for k, v in record.items() if k not in ("uploaded", "completed")}

    def complete(self, args: Json, now: float) -> Json:
        channel: str | None = None
        if ref := args.get("channel_id") or args.get("channels"):
            found = self.channels.resolve(str(ref), read=True)
            if isinstance(found, dict):
                return found
            channel = found
        done = []
        for item in args["files"] if isinstance(args["files"], list) else []:
            item = item if isinstance(item, dict) else {"id": item}
            record = self.records.get(str(item.get("id")))
            if record is None or not record["uploaded"]:
                return {"ok": False, "error": "file_not_found"}
            record["title"] = item.get("title") or record["name"]
            done.append(record)
        if not done:
            return {"ok": False, "error": "invalid_arguments"}
        for record in done:
            record["completed"] = True
        if channel:
            thread = str(args["thread_ts"]) if args.get("thread_ts") else None
            comment = str(args.get("initial_comment") or "")
            ids = [r["id"] for r in done]
            self.pending.append(_Share(now + self.delay, channel, thread, comment, ids))
            self.settle(now)
        return {"ok": True, "files": [{"id": r["id"], "title": r["title"]} for r in done]}

    def settle(self, now: float) -> None:
        """Shares whose time has come appear: a file_share message, and in the files' shares."""
        due = [s for s in self.pending if s.due <= now]
        self.pending = [s for s in self.pending if s.due > now]
        for share in due:
            records = [self.records[f] for f in share.files]
            message: Json = {"type": "message", "subtype": "file_share", "user": self.bot_user}
            message |= {"bot_id": self.bot_id, "text": share.comment, "upload": True}
            if share.thread_ts:
                message["thread_ts"] = share.thread_ts
            message["files"] = [self.public(r) for r in records]  # as they were at the share
            ts = self.post(share.channel, message)
            for record in records:
                self._shared(record, share, ts)
            for shown in message["files"]:
                shown.update(self.public(self.records[shown["id"]]))

    def _shared(self, record: Json, share: _Share, ts: str) -> None:
        channel = self.channels.record(share.channel) or {"id": share.channel}
        private = bool(channel.get("is_private"))
        where: Json = {"ts": ts, "channel_name": channel.get("name", ""), "team_id": self.team}
        where |= {"share_user_id": self.bot_user, "source": "UNKNOWN"}
        if share.thread_ts:
            where |= {"thread_ts": share.thread_ts, "reply_users": [], "reply_count": 0}
            where["reply_users_count"] = 0
        record["shares"].setdefault("private" if private else "public", {}).setdefault(
            share.channel, []
        ).append(where)
        kind = "ims" if channel.get("is_im") else "groups" if private else "channels"
        if share.channel not in record[kind]:
            record[kind].append(share.channel)

    def info(self, args: Json, now: float) -> Json:
        self.settle(now)
        record = self.records.get(str(args.get("file") or ""))
        if record is None or not record["completed"]:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": self.public(record), "comments": [], "response_metadata": {}}
