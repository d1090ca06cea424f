"""The fake Slack's controls for tests: Slack's clock, channels and who is in them, share
delays, rate tiers and slow calls (`FakeSlack` has them; see `fakeslack`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.devtools.fakeslack_answers import TEAM_ID, Tier, Workspace
from bot.devtools.fakeslack_canvases import Canvas
from bot.devtools.fakeslack_channels import dm_of
from bot.devtools.fakeslack_files import Served

_Json = dict[str, Any]


@dataclass
class Slow:
    method: str
    seconds: float
    times: int
    match: Callable[[_Json], bool] | None


class Controls:
    """What a test sets on the fake Slack (needs the fake's lock, workspace and slow calls)."""

    _lock: threading.Lock
    _space: Workspace
    _slow: list[Slow]
    _offset: float

    def file_info(self, file_id: str) -> _Json:
        """What files.info would answer about a file now."""
        with self._lock:
            return self._space.files.info({"file": file_id}, self.now())

    def add_user(
        self, user_id: str, real_name: str, *, tz: str = "Europe/London", is_bot: bool = False,
        display_name: str | None = None, deleted: bool = False,
    ) -> None:  # fmt: skip
        """A member as users.info/users.list give them (fakeslack_answers.people)."""
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
        name = real_name.lower().replace(" ", ".")
        shown = real_name if display_name is None else display_name
        profile = {"real_name": real_name, "display_name": shown, "email": f"{name}@x.test"}
        user: _Json = {"id": user_id, "team_id": TEAM_ID, "name": name, "real_name": real_name}
        if not deleted:  # Slack gives a deactivated member no time zone
            user |= {"tz": tz, "tz_offset": int(offset.total_seconds()) if offset else 0}
        with self._lock:
            self._space.users[user_id] = user | {
                "is_bot": is_bot,
                "deleted": deleted,
                "profile": profile,
            }

    # -- Slack's clock, channels, share delays and rate tiers ---------------------------------

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move Slack's clock on (shares held back and rate windows see the time pass)."""
        self._offset += seconds

    @property
    def share_delay(self) -> float:
        """Seconds between files.completeUploadExternal and the file's share appearing."""
        return self._space.files.delay

    @share_delay.setter
    def share_delay(self, seconds: float) -> None:
        with self._lock:
            self._space.files.delay = seconds

    def serve_socket_mode(self, issue: Callable[[], str] | None) -> None:
        """What apps.connections.open answers: a new URL from `issue` (bot.devtools.fakesocket
        sets it while it runs)."""
        with self._lock:
            self._space.socket_mode = issue

    def add_channel(self, name: str, **how: Any) -> str:
        """A channel in the workspace, answering its id; `how`: `channel_id=`, `private=`,
        `member=` (whether the bot is in it), as `Channels.add` takes them."""
        with self._lock:
            return self._space.channels.add(name, **how)

    def rename_channel(self, channel_id: str, name: str) -> None:
        with self._lock:
            self._space.channels.rename(channel_id, name)

    def set_member(self, channel_id: str, member: bool = True) -> None:
        """Invite the bot to a channel (or remove it)."""
        with self._lock:
            self._space.channels.set_member(channel_id, member)

    def channel(self, ref: str) -> _Json | None:
        """A channel by id or name, as Slack holds it (None: no such channel)."""
        name = ref.lstrip("#").lower()
        with self._lock:
            found = self._space.channels.by_id.get(ref) or next(
                (c for c in self._space.channels.by_id.values() if c["name"] == name), None
            )
            return dict(found) if found else None

    def canvas(self, channel: str) -> Canvas | None:
        """The channel's canvas (by the channel's id), as Slack holds it."""
        with self._lock:
            return self._space.canvases.of_channel(channel)

    def canvases_off(self, why: str = "plan") -> None:
        """No canvases: not on the workspace's plan ("plan"), or the app was not granted
        `canvases:write` ("scope")."""
        with self._lock:
            if why == "scope":
                self._space.canvases.scoped = False
            else:
                self._space.canvases.available = False

    def delete_canvas(self, canvas_id: str) -> None:
        """A member deletes the channel's canvas."""
        with self._lock:
            self._space.canvases.delete(canvas_id)

    def delivers_events(self, channel: str) -> bool:
        """Whether Slack sends the bot message events from the conversation (it is in it)."""
        with self._lock:
            return self._space.channels.member(channel)

    def tier(self, method: str, calls: int, per: float = 60.0, *, max_limit: int = 1000) -> None:
        """Rate-limit a method: `calls` per `per` seconds of Slack's clock, then 429 with
        Retry-After; a call answers at most `max_limit` messages."""
        with self._lock:
            self._space.tiers[method] = Tier(calls, per, max_limit)

    def non_marketplace(self) -> None:
        """Slack's limits for a commercially distributed app not in the Marketplace (from
        2025): conversations.history and conversations.replies, 1 call a minute, 15 messages."""
        for method in ("conversations.history", "conversations.replies"):
            self.tier(method, 1, 60.0, max_limit=15)

    def slow(
        self,
        method: str,
        seconds: float,
        *,
        times: int = 1,
        match: Callable[[_Json], bool] | None = None,
    ) -> None:
        """Let the next `times` calls to `method` wait `seconds` before Slack does them (and
        answers): a client with a shorter timeout gives up first, and the call happens after."""
        with self._lock:
            self._slow.append(Slow(method, seconds, times, match))

    def messages(self, channel: str, thread_ts: str | None = None) -> list[_Json]:
        """What is in a channel (top-level messages), or in one thread (its parent first)."""
        with self._lock:
            self._space.files.settle(self.now())
            found = self._space.channels.record(dm_of(channel), names=True)
            posted = list(self._space.history.get(found["id"] if found else channel, []))
        if thread_ts is None:
            return [m for m in posted if m.get("thread_ts", m["ts"]) == m["ts"]]
        return [m for m in posted if thread_ts in (m["ts"], m.get("thread_ts"))]

    def share_file(self, name: str, content: bytes, *, user: str, mimetype: str) -> _Json:
        """A file a person uploads to Slack: its file object, as a file_share event has it."""
        with self._lock:
            return self._space.files.shared_by(user, name, content, mimetype)

    def serve_file(self, path: str, headers: dict[str, str]) -> Served:
        """A GET of a private file URL, or of the sign-in page it redirects to."""
        with self._lock:
            return self._space.files.serve(path, headers)

    def file_content(self, name: str) -> bytes:
        """The bytes last uploaded under a file name."""
        with self._lock:
            records = self._space.files.records.values()
            found = [f for f in records if f["name"] == name and f["uploaded"]]
            if not found:
                raise KeyError(name)
            return bytes(self._space.files.content[found[-1]["id"]])
