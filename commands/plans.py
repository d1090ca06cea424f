"""`/ofsted plans`: the improvement plans, with counts."""

from __future__ import annotations

from commands.context import Context, Invocation
from commands.registry import command
from commands.views.catalogue import plans_view
from commands.views.kit import Reply
from db.plans import plan_summaries


@command("plans", usage="plans", summary="the improvement plans, with counts", aliases=("plan",))
def plans(ctx: Context, inv: Invocation) -> Reply:
    with ctx.db.sessions() as session:
        summaries = plan_summaries(session)
    return plans_view(summaries, ctx.viewing(inv, "plans"))
