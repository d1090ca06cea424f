"""What every `/ofsted` verb is given: who asked, where, when, and the services it may use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from commands.views.actions import Viewing
from db.database import Database
from db.search import SearchCatalogue
from jobs.people import Directory


@dataclass(frozen=True)
class Invocation:
    """A parsed `/ofsted` command: the verb, its words, and how to show the answer."""

    verb: str
    args: tuple[str, ...]
    raw: str  # the text after the verb, as typed
    page: int = 0
    share: bool = False


@dataclass(frozen=True)
class Config:
    """What the verbs need of the bot's settings, as plain values (bot/services.py builds it)."""

    tz: ZoneInfo
    admins: tuple[str, ...] = ()  # Slack user ids of the admins (ADMINS)
    current_plan: str | None = None  # the plan key CURRENT_PLAN names, if set


@dataclass
class Context:
    db: Database
    config: Config
    catalogue: SearchCatalogue
    user_id: str
    channel_id: str | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # read when a
    # write is applied (with its action locked), where `now` is when the request came
    request_key: str | None = None  # names the request (a slash command's trigger id): a
    # command that stores something does it once however often the request comes
    people: Directory | None = None  # names from users.info, cached; None: ids only

    def name_of(self, user_id: str) -> str | None:
        """The name Slack shows for a member (users.info, cached), if Slack says."""
        return self.people.name(user_id) if self.people else None

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def viewing(self, invocation: Invocation, command: str) -> Viewing:
        return Viewing(
            viewer=self.user_id,
            tz=self.tz,
            today=self.today,
            command=command,
            page=invocation.page,
            shared=invocation.share,
            admin=self.user_id in self.config.admins,
        )
