"""What the listeners share: settings, the database, the search catalogue and the clock.

One `Ofsted` is made per app and reaches every listener through the Bolt context: a global
middleware (`provide`) puts it in `context["ofsted"]` and listeners take it with
`services(context)`. Bolt deep-copies the context for lazy listeners; the services are shared,
not copied (`__deepcopy__`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.settings import Settings
from commands.context import Config, Context
from commands.views.actions import Viewing
from db.database import Database
from db.search import SearchCatalogue
from jobs.people import Directory

Clock = Callable[[], datetime]
SERVICES = "ofsted"  # the Bolt context key


class Ofsted:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        clock: Clock | None = None,
        people: Directory | None = None,
    ) -> None:
        self.settings = settings
        self.people = people  # names from users.info, cached (jobs.people)
        self.config = Config(settings.tz, settings.admins, settings.current_plan)
        self.database = database
        self.catalogue = SearchCatalogue()
        self.clock: Clock = clock or (lambda: datetime.now(UTC))

    def __deepcopy__(self, memo: dict[int, Any]) -> Ofsted:
        return self  # Bolt copies the context for lazy listeners: they share the services

    def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The names Slack shows for members (none when the bot cannot look people up)."""
        return self.people.names(user_ids) if self.people else {}

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(self.settings.tz).date()

    def viewing(self, user_id: str) -> Viewing:
        """How App Home shows things to a member."""
        return Viewing(viewer=user_id, tz=self.settings.tz, today=self.today())

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
            clock=self.clock,
            request_key=request_key,
            people=self.people,
        )


def provide(ofsted: Ofsted) -> Callable[[BoltContext, Callable[[], BoltResponse]], BoltResponse]:
    """A global middleware that hands the services to every listener in its context."""

    def with_services(context: BoltContext, next_: Callable[[], BoltResponse]) -> BoltResponse:
        context[SERVICES] = ofsted
        return next_()

    return with_services


def services(context: BoltContext) -> Ofsted:
    ofsted = context[SERVICES]
    assert isinstance(ofsted, Ofsted)
    return ofsted
