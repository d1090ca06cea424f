"""`/ofsted mine`: the actions you own or cover, overdue and due first."""

from __future__ import annotations

from commands.context import Context, Invocation
from commands.registry import command
from commands.views.actions import action_list_view
from commands.views.kit import Reply
from db.actions import actions_of_person


@command(
    "mine",
    usage="mine",
    summary="the actions you own or cover, overdue and due first",
    aliases=("my", "me"),
)
def mine(ctx: Context, inv: Invocation) -> Reply:
    with ctx.db.sessions() as session:
        cards = actions_of_person(session, ctx.user_id, ctx.today, page=inv.page)
    return action_list_view(
        "Your actions",
        cards,
        ctx.viewing(inv, "mine"),
        empty=(
            f"You don't hold or cover a post that owns actions. If you should, an admin can "
            f"run `ofsted-bot owners set POST {ctx.user_id}`."
        ),
    )
