"""`/ofsted history [PLAN] REF`: every update of an action, newest first."""

from __future__ import annotations

from commands.context import Context, Invocation
from commands.registry import command
from commands.views.actions import HISTORY_PER_PAGE, history_view
from commands.views.kit import Reply
from commands.which import find_card
from db.actions import (
    action_history,
)
from db.due_dates import requests_by_update


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
