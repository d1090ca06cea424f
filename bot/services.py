"""What the listeners share: settings, the database, the search catalogue and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from bot.settings import Settings
from commands.context import Config, Context
from db.database import Database
from db.search import SearchCatalogue

Clock = Callable[[], datetime]


class Ofsted:
    def __init__(self, settings: Settings, database: Database, clock: Clock | None = None) -> None:
        self.settings = settings
        self.config = Config(settings.tz, settings.admins, settings.current_plan)
        self.database = database
        self.catalogue = SearchCatalogue()
        self.clock: Clock = clock or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(self.settings.tz).date()

    def context(
        self, user_id: str, channel_id: str | None, *, request_key: str | None = None
    ) -> Context:
        return Context(
            self.database,
            self.config,
            self.catalogue,
            user_id,
            channel_id,
            now=self.clock(),
            request_key=request_key,
        )
