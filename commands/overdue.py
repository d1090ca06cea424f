"""`/ofsted overdue [PLAN]`: actions past their due date and not complete."""

from __future__ import annotations

from commands.context import Context, Invocation
from commands.registry import command
from commands.views.actions import action_list_view
from commands.views.kit import Reply
from commands.which import pick_plan
from db.actions import current_overdue_actions, overdue_actions
from db.cards import PlanRef
from db.models import Plan


@command(
    "overdue",
    usage="overdue [PLAN]",
    summary="actions past their due date and not complete",
    examples=("overdue",),
)
def overdue(ctx: Context, inv: Invocation) -> Reply:
    word = inv.raw or None
    plan: Plan | PlanRef
    with ctx.db.sessions() as session:
        current = None
        if word is None:  # the usual case in one statement
            current = current_overdue_actions(
                session, ctx.config.current_plan, ctx.today, page=inv.page
            )
        if current is not None:
            plan, cards = current
        else:
            plan = pick_plan(session, ctx, word, lambda key: f"overdue {key}")
            cards = overdue_actions(session, plan, ctx.today, page=inv.page)
    return action_list_view(
        f"Overdue actions · {plan.key}",
        cards,
        ctx.viewing(inv, f"overdue {plan.key}"),
        empty=f"Nothing in `{plan.key}` is overdue. :tada:",
    )
