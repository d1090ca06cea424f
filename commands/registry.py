"""One decorator registers an `/ofsted` verb with its help text (in the style of slack-machine)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from commands.context import Context, Invocation
from commands.views.help import VerbHelp
from commands.views.kit import Reply

Handler = Callable[[Context, Invocation], Reply]


@dataclass(frozen=True)
class Verb:
    help: VerbHelp
    handler: Handler
    aliases: tuple[str, ...] = ()
    listed: bool = True


VERBS: dict[str, Verb] = {}
ALIASES: dict[str, str] = {}


class UsageError(Exception):
    """The user asked for something the bot cannot give; the message says why, kindly."""

    def __init__(self, message: str, *, suggestions: Sequence[str] = (), hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = list(suggestions)
        self.hint = hint


def command(
    name: str,
    *,
    usage: str,
    summary: str,
    details: str = "",
    examples: Sequence[str] = (),
    aliases: Sequence[str] = (),
    listed: bool = True,
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in VERBS or name in ALIASES:
            raise ValueError(f"verb {name!r} registered twice")
        VERBS[name] = Verb(
            VerbHelp(name, usage, summary, details, tuple(examples)),
            handler,
            tuple(aliases),
            listed,
        )
        for alias in aliases:
            ALIASES[alias] = name
        return handler

    return register


def lookup(name: str) -> Verb | None:
    name = name.lower()
    return VERBS.get(ALIASES.get(name, name))
