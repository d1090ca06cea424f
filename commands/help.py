"""`/ofsted help [VERB]` and `/ofsted help rag`."""

from __future__ import annotations

from commands.context import Context, Invocation
from commands.registry import VERBS, UsageError, command, lookup
from commands.suggest import nearest_verbs
from commands.views.help import echo, help_view, rag_key_view, verb_help_view
from commands.views.kit import Reply


@command(
    "help",
    usage="help [VERB]",
    summary="this list, or more about one verb; `help rag` for the RAG key",
    examples=("help", "help rec", "help rag"),
    aliases=("?", "h"),
)
def help_(ctx: Context, inv: Invocation) -> Reply:
    if not inv.args:
        return help_view([v.help for v in VERBS.values() if v.listed])
    topic = inv.args[0].lower()
    if topic in {"rag", "key", "status", "colours", "colors"}:
        return rag_key_view()
    verb = lookup(topic)
    if verb is None:
        raise UsageError(
            f"There is no `{echo(topic, 30)}` to explain.",
            suggestions=[f"help {v}" for v in nearest_verbs(topic)] or ["help"],
        )
    return verb_help_view(verb.help)
