"""What every `/ofsted` verb is given: who asked, where, when, and the services it may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.settings import Settings
from commands.views.actions import Viewing
from db.database import Database

if TYPE_CHECKING:
    from commands.search import SearchCatalogue


@dataclass(frozen=True)
class Invocation:
    """A parsed `/ofsted` command: the verb, its words, and how to show the answer."""

    verb: str
    args: tuple[str, ...]
    raw: str  # the text after the verb, as typed
    page: int = 0
    share: bool = False


@dataclass
class Context:
    db: Database
    settings: Settings
    catalogue: SearchCatalogue
    user_id: str
    channel_id: str | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    request_key: str | None = None  # names the request (a slash command's trigger id): a
    # command that stores something does it once however often the request comes

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    @property
    def is_admin(self) -> bool:
        return self.user_id in self.settings.admins

    def viewing(self, invocation: Invocation, command: str) -> Viewing:
        return Viewing(
            viewer=self.user_id,
            tz=self.tz,
            today=self.today,
            command=command,
            page=invocation.page,
            shared=invocation.share,
        )
