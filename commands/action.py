"""`/ofsted action [PLAN] REF` and `/ofsted history [PLAN] REF`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commands.common import describe_range, pick_plan
from commands.context import Context, Invocation
from commands.grammar import ACTION_REF
from commands.registry import UsageError, command
from commands.views.actions import HISTORY_PER_PAGE, action_view, history_view
from commands.views.common import Reply
from commands.views.help import echo
from db.current import find_current_action
from db.due_dates import requests_by_update
from db.lookups import (
    ActionCard,
    action_history,
    action_refs,
    find_action,
    plans_with_action,
)


def find_card(session: Session, ctx: Context, inv: Invocation, verb: str) -> ActionCard:
    """The action a command names: `REF` in the current plan (or the one plan having it)."""
    if not inv.args:
        raise UsageError(
            f"Which action? Give its reference, e.g. `/ofsted {verb} 4.2`.",
            suggestions=[f"{verb} 1.1"],
        )
    ref, word = inv.args[-1], " ".join(inv.args[:-1]) or None
    if not ACTION_REF.match(ref):
        raise UsageError(
            f"“{echo(ref)}” is not an action reference: they look like `4.2`.",
            suggestions=[f"help {verb}"],
        )
    if word is None:  # the usual case in one statement; anything else the long way below
        found = find_current_action(session, ctx.config.current_plan, ref, ctx.today)
        if found is not None:
            return found
    plan = pick_plan(session, ctx, word, lambda key: f"{verb} {key} {ref}")
    card = find_action(session, plan, ref, ctx.today)
    if card is None and word is None:
        elsewhere = plans_with_action(session, ref)
        if len(elsewhere) == 1:
            card = find_action(session, elsewhere[0], ref, ctx.today)
        elif elsewhere:
            raise UsageError(
                f"Action {echo(ref)} is not in the current plan `{plan.key}`, but is "
                f"in {len(elsewhere)} others. Which one?",
                suggestions=[f"{verb} {p.key} {ref}" for p in elsewhere],
            )
    if card is None:
        refs = action_refs(session, plan)
        known = (
            f"its actions are {describe_range(refs)}" if refs else "it has no actions recorded yet"
        )
        raise UsageError(
            f"There is no action {echo(ref)} in `{plan.key}`: {known}.",
            suggestions=[f"{verb} {plan.key} {r}" for r in refs[:3]],
        )
    return card


@command(
    "action",
    usage="action [PLAN] REF",
    summary="one action: owner, due date, RAG, status and latest update",
    examples=("action 4.1", "4.1"),
    aliases=("a",),
)
def action(ctx: Context, inv: Invocation) -> Reply:
    with ctx.db.sessions() as session:
        card = find_card(session, ctx, inv, "action")
    plan_key = card.action.recommendation.plan.key
    return action_view(card, ctx.viewing(inv, f"action {plan_key} {card.action.ref}"))


@command(
    "history",
    usage="history [PLAN] REF",
    summary="every update of an action, newest first",
    examples=("history 4.1",),
)
def history(ctx: Context, inv: Invocation) -> Reply:
    with ctx.db.sessions() as session:
        card = find_card(session, ctx, inv, "history")
        updates, total = action_history(
            session, card.action.id, offset=inv.page * HISTORY_PER_PAGE, limit=HISTORY_PER_PAGE
        )
        asked = [u.id for u in updates if u.due_to]  # requests for a new due date, and their
        requests = requests_by_update(session, asked)  # decisions: read only when there are
    plan_key = card.action.recommendation.plan.key
    return history_view(
        card, updates, total, ctx.viewing(inv, f"history {plan_key} {card.action.ref}"), requests
    )
