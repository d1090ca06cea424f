"""`/ofsted action [PLAN] REF`: one action, its owner, status and latest update."""

from __future__ import annotations

from commands.context import Context, Invocation
from commands.registry import command
from commands.views.actions import action_view
from commands.views.kit import Reply
from commands.which import find_card


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
