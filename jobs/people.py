"""Who a Slack member id is: the name Slack shows for them, from `users.info`, kept a while.

Slack shows a member by their profile's display name, or their real name when they set none
(most people), and the old username handle only when both are empty. A deactivated member is
still answered by `users.info` (`deleted: true`): they are named, and said to be deactivated,
since an action owned by someone who has left needs a new owner. An id Slack does not know
(`user_not_found`) has no name. What Slack answered is kept in a bounded cache for an hour
(`TTL_SECONDS`), so a digest, a shared answer or a header asks Slack once per person, not once
per line; a failed call (Slack down, a 429) is not kept, and the caller shows the id instead.

`find` looks a name up the other way (`ofsted-bot owners set POST @Sam`): `users.list`, every
page, matched on display name, real name or handle.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
TTL_SECONDS = 3600.0  # how long a name Slack gave is kept
CACHE_SIZE = 5000  # names kept at most (a council's staff in Slack, with room)
LIST_PAGE = 200  # users.list page size (Slack: at most 200 is the advice)


@dataclass(frozen=True)
class Member:
    """A Slack member as the bot shows them."""

    user_id: str
    name: str  # display name, else real name, else handle
    real_name: str
    handle: str
    deleted: bool = False
    is_bot: bool = False

    @property
    def shown(self) -> str:
        """The name for files and posted messages."""
        return f"{self.name} (deactivated)" if self.deleted else self.name


def member_of(user: Mapping[str, Any]) -> Member:
    """A member from a `users.info` or `users.list` user object."""
    profile = user.get("profile") or {}
    handle = str(user.get("name") or "")
    real = str(profile.get("real_name") or user.get("real_name") or "").strip()
    display = str(profile.get("display_name") or "").strip()
    return Member(
        str(user["id"]),
        display or real or handle or str(user["id"]),
        real,
        handle,
        bool(user.get("deleted")),
        bool(user.get("is_bot")),
    )


NameLookup = Callable[[Iterable[str]], Mapping[str, str]]
_UNKNOWN = Member("", "", "", "")  # kept for ids Slack does not know (user_not_found)


class Directory:
    """Names from `users.info`, cached (bounded, with expiry); thread-safe."""

    def __init__(
        self,
        client: WebClient,
        *,
        ttl: float = TTL_SECONDS,
        size: int = CACHE_SIZE,
        timer: Callable[[], float] | None = None,
    ) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._cache: TTLCache[str, Member] = (
            TTLCache(size, ttl, timer=timer) if timer else TTLCache(size, ttl)
        )

    def cached(self, user_id: str) -> Member | None:
        """The member if Slack was asked lately (no call)."""
        with self._lock:
            found = self._cache.get(user_id)
        return found if found is not None and found is not _UNKNOWN else None

    def member(self, user_id: str) -> Member | None:
        """The member, from the cache or `users.info`; None if Slack does not know the id or
        did not answer."""
        with self._lock:
            if user_id in self._cache:
                found = self._cache[user_id]
                return found if found is not _UNKNOWN else None
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error == "user_not_found":
                with self._lock:
                    self._cache[user_id] = _UNKNOWN
            else:
                log.warning("users.info %s: %s", user_id, error)
            return None
        except OSError as exc:  # Slack unreachable: the caller shows the id this time
            log.warning("users.info %s: %s", user_id, exc)
            return None
        member = member_of(user)
        with self._lock:
            self._cache[user_id] = member
        return member

    def name(self, user_id: str) -> str | None:
        member = self.member(user_id)
        return member.shown if member else None

    def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The name of each id Slack knows (each asked once)."""
        found = {}
        for user_id in dict.fromkeys(u for u in user_ids if u):
            if (name := self.name(user_id)) is not None:
                found[user_id] = name
        return found

    def members(self) -> Iterator[Member]:
        """Everyone in the workspace (`users.list`, every page); each is cached too."""
        cursor: str | None = None
        while True:
            page = self.client.users_list(limit=LIST_PAGE, cursor=cursor)
            for user in page.get("members") or []:
                member = member_of(user)
                with self._lock:
                    self._cache[member.user_id] = member
                yield member
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return

    def find(self, text: str) -> list[Member]:
        """The people `@name` means: an exact display name, real name or handle (any case)
        first; else those whose names start with it. Bots and deactivated members are left
        out."""
        wanted = text.strip().removeprefix("@").strip().casefold()
        if not wanted:
            return []
        people = [m for m in self.members() if not m.is_bot and not m.deleted]
        keys = [
            (m, [m.name.casefold(), m.real_name.casefold(), m.handle.casefold()]) for m in people
        ]
        exact = [m for m, names in keys if wanted in names]
        if exact:
            return exact
        return [m for m, names in keys if any(n.startswith(wanted) for n in names if n)]
