"""From the text of `/ofsted …` to a reply: parse, find the verb, run it, say what went wrong.

Every outcome is a reply: usage problems become friendly messages with suggestions; any other
error is logged with an id that the user's message quotes (never a traceback; commands.errors).
"""

from __future__ import annotations

from commands import (  # noqa: F401  (registers the verbs)
    action,
    board,
    digest,
    help,
    history,
    mine,
    overdue,
    owner,
    owners,
    plans,
    rec,
    search,
    signoff,
    update,
)
from commands.context import Context
from commands.errors import logged_error
from commands.grammar import parse
from commands.registry import UsageError, lookup
from commands.suggest import nearest_verbs
from commands.views.help import echo, problem_view
from commands.views.kit import Reply


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
    except Exception as error:
        # the verb, never what was written after it (an update's text is the person's)
        return logged_error(f"/ofsted {invocation.verb[:40]!r} for {ctx.user_id}", error)
    return reply
