"""The fake Slack's channels: ids and names, who is in them, and Slack's answers that depend on
them (`fakeslack_answers` asks). As Slack documents it:

- a conversation is named by its id (`C…` public or private, `G…` a legacy private channel,
  `D…` a DM); only `chat.postMessage` (and `chat.postEphemeral`) also take a `#name`, and
  answer with the id; `conversations.history`, `conversations.replies`, `conversations.join`,
  `files.completeUploadExternal` and the rest answer `channel_not_found` to a name;
- with `chat:write.public` the bot posts to a public channel it has not joined, but it reads
  (`conversations.history`/`replies`) and shares files only where it is a member
  (`not_in_channel`), and Slack sends it no message events from channels it is not in;
- a private channel the bot is not in does not exist for it (`channel_not_found` everywhere,
  and `conversations.list` leaves it out); `conversations.join` works on public channels only
  (`method_not_supported_for_channel_type`), the bot is invited to private ones;
- `conversations.list` pages with `limit` (default 100, at most 1000) and an opaque
  `response_metadata.next_cursor`, "" on the last page.

A channel id the fake has not been told of (tests post to "C1", "C0BOARD", …) is taken to be a
public channel the bot is in (a `G…` id: a private one); names must be added (`add_channel`).
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any

Json = dict[str, Any]
_ID = re.compile(r"^[CGD][A-Z0-9]+$")
NOT_FOUND = "channel_not_found"
NOT_IN = "not_in_channel"


def dm_of(channel: str) -> str:
    """A user id names the DM with that user (`D` + the user id, in this fake)."""
    return "D" + channel if channel[:1] in ("U", "W") else channel


class Channels:
    """The workspace's channels by id. Not thread-safe: the fake's lock is held."""

    def __init__(self) -> None:
        self.by_id: dict[str, Json] = {}
        self.counter = 0

    def add(
        self,
        name: str,
        *,
        channel_id: str | None = None,
        private: bool = False,
        member: bool = True,
    ) -> str:
        name = name.lstrip("#").lower()
        if channel_id is None:
            self.counter += 1
            channel_id = f"{'G' if private else 'C'}0FAKE{self.counter:05d}"
        self.by_id[channel_id] = {
            "id": channel_id,
            "name": name,
            "name_normalized": name,
            "is_channel": not private,
            "is_group": private,
            "is_im": False,
            "is_mpim": False,
            "is_private": private,
            "is_archived": False,
            "is_general": False,
            "is_member": member,
            "created": int(time.time()),
            "creator": "U0ADMIN",
            "previous_names": [],
            "num_members": 1 if member else 0,
            "unlinked": 0,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "pending_shared": [],
            "is_pending_ext_shared": False,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        return channel_id

    def rename(self, channel_id: str, name: str) -> None:
        channel = self.by_id[channel_id]
        channel["previous_names"] = [channel["name"], *channel["previous_names"]]
        channel["name"] = channel["name_normalized"] = name.lstrip("#").lower()

    def record(self, ref: str, *, names: bool = False) -> Json | None:
        """The channel a reference names, as the bot can see it (None: channel_not_found)."""
        ref = dm_of(ref)
        if ref.startswith("D") and _ID.match(ref):
            return {"id": ref, "is_im": True, "is_private": True, "is_member": True}
        if _ID.match(ref):
            if ref not in self.by_id:  # a channel the test did not declare: the bot is in it
                self.add(ref.lower(), channel_id=ref, private=ref.startswith("G"))
            found: Json | None = self.by_id[ref]
        elif names:
            name = ref.lstrip("#").lower()
            found = next((c for c in self.by_id.values() if c["name"] == name), None)
        else:
            return None
        if found is not None and found["is_private"] and not found["is_member"]:
            return None  # invisible to the bot
        return found

    def resolve(self, ref: str, *, names: bool = False, read: bool = False) -> str | Json:
        """The channel's id, or Slack's error: channel_not_found, or not_in_channel when the
        bot must be a member (`read`: history, replies, file shares)."""
        found = self.record(ref, names=names)
        if found is None:
            return {"ok": False, "error": NOT_FOUND}
        if read and not found["is_member"]:
            return {"ok": False, "error": NOT_IN}
        return str(found["id"])

    def member(self, ref: str) -> bool:
        """Whether the bot is in the conversation (so Slack sends it the messages there)."""
        found = self.record(ref)
        return bool(found and found["is_member"])

    def set_member(self, channel_id: str, member: bool) -> None:
        self.record(channel_id)  # declares it if need be
        self.by_id[channel_id]["is_member"] = member

    def join(self, ref: str) -> Json:
        found = self.record(ref)
        if found is None:
            return {"ok": False, "error": NOT_FOUND}
        if found.get("is_im") or found["is_private"]:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        if found["is_archived"]:
            return {"ok": False, "error": "is_archived"}
        answer: Json = {"ok": True}
        if found["is_member"]:
            answer |= {"warning": "already_in_channel"}
            answer["response_metadata"] = {"warnings": ["already_in_channel"]}
        found["is_member"] = True
        return answer | {"channel": dict(found)}

    def info(self, ref: str) -> Json:
        found = self.record(ref)
        if found is None:
            return {"ok": False, "error": NOT_FOUND}
        return {"ok": True, "channel": dict(found)}

    def page(self, args: Json) -> Json:
        """conversations.list: public channels, and the private ones the bot is in."""
        types = str(args.get("types") or "public_channel").split(",")
        wanted = [
            c
            for c in self.by_id.values()
            if ("private_channel" if c["is_private"] else "public_channel") in types
            and (c["is_member"] or not c["is_private"])
            and not (
                c["is_archived"] and str(args.get("exclude_archived")).lower() in ("1", "true")
            )
        ]
        try:
            limit = max(1, min(1000, int(args.get("limit") or 100)))
            start = int(base64.b64decode(str(args.get("cursor") or "")).decode() or 0)
        except ValueError:
            return {"ok": False, "error": "invalid_cursor"}
        rest = wanted[start + limit :]
        cursor = base64.b64encode(str(start + limit).encode()).decode() if rest else ""
        return {
            "ok": True,
            "channels": [dict(c) for c in wanted[start : start + limit]],
            "response_metadata": {"next_cursor": cursor},
        }
