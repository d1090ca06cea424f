"""The fake Slack's files: uploads (`files.getUploadURLExternal`, the upload URL,
`files.completeUploadExternal`) and `files.info`, as Slack documents them.

Slack shares a completed upload asynchronously: `files.completeUploadExternal` answers at once,
and the file appears in the channel (or thread) as a `file_share` message, and in the file's
`shares` (`files.info`), a few seconds later. The fake holds each share back for `delay`
seconds (by its clock); until then `files.info` shows the file with no `shares` and no
`channels`. Sharing to a public channel the bot has not joined is `not_in_channel`.

Every file, uploaded by the bot or shared by a person (`shared_by`), has Slack's private URLs,
`url_private` and `url_private_download`, under `/files-pri/<team>-<id>/…` of the fake's own
server (`serve`). Fetching one needs a token in an `Authorization: Bearer` header (files:read);
without one Slack does not answer an error but redirects (302) to its sign-in page, which
answers HTML with status 200, so a client that does not check gets a web page, not the file.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from bot.devtools.fakeslack_channels import Channels

Json = dict[str, Any]
Reply = tuple[int, Json | str, dict[str, str]]
Served = tuple[int, bytes, dict[str, str]]  # status, body, headers: a file or a web page
SIGN_IN = "/signin"
SIGN_IN_PAGE = (
    b"<!DOCTYPE html><html lang='en'><head><title>Sign in | Slack</title></head>"
    b"<body><h1>Sign in to your workspace</h1></body></html>"
)


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
        self.root_url = ""  # the fake's server, where private URLs point (set on start)

    def upload_url(self, args: Json, root_url: str) -> Json:
        self.counter += 1
        file_id = f"F0FAKE{self.counter:06d}"
        name = str(args["filename"])
        link = f"{self.workspace_url}files/{self.bot_user}/{file_id}/{name}"
        self.records[file_id] = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetypes.guess_type(name)[0] or "text/plain",
            "filetype": name.rsplit(".", 1)[-1].lower() if "." in name else "binary",
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
        shown = {k: v for k, v in record.items() if k not in ("uploaded", "completed")}
        path = f"{self.root_url}/files-pri/{self.team}-{record['id']}"
        name = quote(str(record["name"]))
        return shown | {
            "url_private": f"{path}/{name}",
            "url_private_download": f"{path}/download/{name}",
        }

    def shared_by(self, user: str, name: str, content: bytes, mimetype: str) -> Json:
        """A file a person uploaded to Slack: stored, and its file object as a file_share
        event carries it."""
        self.counter += 1
        file_id = f"F0FAKE{self.counter:06d}"
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        record: Json = {"id": file_id, "created": 1_700_000_000, "timestamp": 1_700_000_000}
        record |= {"name": name, "title": name, "mimetype": mimetype, "filetype": filetype}
        record |= {"pretty_type": filetype.upper(), "user": user, "user_team": self.team}
        record |= {"size": len(content), "mode": "hosted", "is_external": False}
        record |= {"is_public": False, "public_url_shared": False, "editable": False}
        record |= {"permalink": f"{self.workspace_url}files/{user}/{file_id}/{name}"}
        record |= {"uploaded": True, "completed": True, "shares": {}, "channels": []}
        record |= {"groups": [], "ims": [], "display_as_bot": False, "username": ""}
        record |= {"permalink_public": f"https://slack-files.com/{self.team}-{file_id}-0a1b2c3d4e"}
        record |= {"has_rich_preview": False, "file_access": "visible", "external_type": ""}
        self.records[file_id] = record
        self.content[file_id] = content
        return self.public(record)

    def serve(self, path: str, headers: dict[str, str]) -> Served:
        """A GET of a private file URL (with a bearer token), or of the sign-in page."""
        url = urlsplit(path)
        if url.path == SIGN_IN:
            return 200, SIGN_IN_PAGE, {"Content-Type": "text/html; charset=utf-8"}
        if not url.path.startswith("/files-pri/"):
            return 404, b"not found", {"Content-Type": "text/plain"}
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not auth.lower().startswith("bearer xox"):
            redirect = quote(f"{self.root_url}{url.path}", safe="")
            return 302, b"", {"Location": f"{self.root_url}{SIGN_IN}?redir={redirect}"}
        parts = url.path.split("/")  # "", "files-pri", "<team>-<id>", ["download"], name
        file_id = parts[2].rpartition("-")[2] if len(parts) > 3 else ""
        record = self.records.get(file_id)
        if record is None or file_id not in self.content or not record["completed"]:
            return 404, b"file not found", {"Content-Type": "text/plain"}
        kind = str(record.get("mimetype") or "application/octet-stream")
        return 200, self.content[file_id], {"Content-Type": kind}

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
            record.update(completed=True, created=int(now), timestamp=int(now))
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
