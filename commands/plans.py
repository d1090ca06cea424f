"""`/ofsted plans`, `/ofsted overdue [PLAN]` and `/ofsted board [NAME]`."""

from __future__ import annotations

from commands.boards import change_meeting
from commands.common import pick_plan
from commands.context import Context, Invocation
from commands.registry import UsageError, command
from commands.views.actions import action_list_view
from commands.views.catalogue import board_view, boards_view, plans_view
from commands.views.common import Reply
from commands.views.help import echo
from db.cards import PlanRef
from db.channels import channel_state
from db.current import current_overdue_actions
from db.lookups import current_plan, overdue_actions
from db.models import Board, Plan
from db.overview import all_boards, meeting_overrides
from db.queries import plan_summaries
from jobs.schedule import upcoming_meetings


@command("plans", usage="plans", summary="the improvement plans, with counts", aliases=("plan",))
def plans(ctx: Context, inv: Invocation) -> Reply:
    with ctx.db.sessions() as session:
        summaries = plan_summaries(session)
    return plans_view(summaries, ctx.viewing(inv, "plans"))


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


def _match_board(boards: list[Board], name: str) -> list[Board]:
    name = name.lower().strip()
    exact = [b for b in boards if name in (b.key, b.name.lower())]
    if exact:
        return exact
    words = name.split()
    return [b for b in boards if all(w in b.name.lower() or w in b.key for w in words)]


@command(
    "board",
    usage="board [NAME]",
    summary="a board's next meetings and when owners and the secretary hear from the bot",
    details="The secretary or an admin can move or cancel one meeting without changing the "
    "cadence: `board move aeb 2022-09-14 2022-09-21`, `board cancel aeb 2022-09-14`. "
    "Subscribe to a board's meetings: `ofsted-bot board ics NAME`, or `/boards/NAME.ics` "
    "on the bot's web address.",
    examples=("board", "board aeb", "board achieving excellence"),
    aliases=("boards",),
)
def board(ctx: Context, inv: Invocation) -> Reply:
    if inv.args and inv.args[0].lower() in {"move", "cancel"}:
        return change_meeting(ctx, inv.args)
    with ctx.db.sessions() as session:
        boards = all_boards(session)
        if inv.raw:
            chosen = _match_board(boards, inv.raw)
        else:
            current = current_plan(session, ctx.config.current_plan)
            chosen = [b for b in boards if any(p.id == current.id for p in b.plans)]
            if len(chosen) != 1:
                return boards_view(boards, ctx.viewing(inv, "board"))
        if not chosen:
            raise UsageError(
                f"No board is called “{echo(inv.raw)}”.",
                suggestions=[f"board {b.key}" for b in boards[:5]],
            )
        if len(chosen) > 1:
            raise UsageError(
                f"“{echo(inv.raw)}” could be {len(chosen)} boards. Which one?",
                suggestions=[f"board {b.key}" for b in chosen],
            )
        found = chosen[0]
        overrides = meeting_overrides(session, found, ctx.today)
        channel = channel_state(session, found.channel) if found.channel else None
    meetings = upcoming_meetings(found, overrides, ctx.today, ctx.tz, count=3)
    return board_view(found, meetings, ctx.viewing(inv, f"board {found.key}"), channel)
