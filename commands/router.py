"""From the text of `/ofsted …` to a reply: parse, find the verb, run it, say what went wrong.

Every outcome is a reply: usage problems become friendly messages with suggestions; any other
error is logged with an id that the user's message quotes (never a traceback).
"""

from __future__ import annotations

import logging
import uuid

from commands import (  # noqa: F401  (registers the verbs)
    action,
    boards,
    help,
    people,
    plans,
    rec,
    search,
    update,
)
from commands.context import Context
from commands.grammar import parse
from commands.registry import UsageError, lookup
from commands.suggest import nearest_verbs
from commands.views.common import Reply
from commands.views.help import echo, internal_error_view, problem_view

log = logging.getLogger(__name__)


def handle(ctx: Context, text: str, *, page: int = 0, share: bool = False) -> Reply:
    invocation = parse(text, page=page, share=share)
    try:
        verb = lookup(invocation.verb)
        if verb is None:
            near = nearest_verbs(invocation.verb)
            raise UsageError(
                f"I don't know “{echo(invocation.verb, 40)}”."
                + (f" Did you mean {' or '.join(f'`{n}`' for n in near)}?" if near else ""),
                suggestions=[*near, "help"],
                hint="`/ofsted help` lists everything I can do.",
            )
        reply = verb.handler(ctx, invocation)
    except UsageError as problem:
        return problem_view(problem.message, suggestions=problem.suggestions, hint=problem.hint)
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        log.exception("error %s handling /ofsted %r for %s", error_id, text[:200], ctx.user_id)
        return internal_error_view(error_id)
    return reply
