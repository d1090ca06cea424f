"""`/ofsted rec [PLAN] N`: one recommendation with its actions."""

from __future__ import annotations

from commands.context import Context, Invocation
from commands.grammar import ACTION_REF, REC_NUMBER
from commands.registry import UsageError, command
from commands.views.help import echo
from commands.views.kit import Reply
from commands.views.recommendation import full_text_view, recommendation_view
from commands.which import describe_range, pick_plan
from db.recommendations import (
    current_recommendation_card,
    find_recommendation,
    recommendation_card,
    recommendation_numbers,
    recommendations_by_id,
)


def split_plan_and_number(args: tuple[str, ...]) -> tuple[str | None, str]:
    if not args:
        raise UsageError(
            "Which recommendation? Give its number, e.g. `/ofsted rec 4`.",
            suggestions=["rec 1", "plans"],
        )
    if len(args) == 1:
        return None, args[0]
    if REC_NUMBER.match(args[-1]):
        return " ".join(args[:-1]), args[-1]
    if REC_NUMBER.match(args[0]):
        return " ".join(args[1:]), args[0]
    raise UsageError(
        f"“{echo(' '.join(args))}” is not a recommendation number.", suggestions=["help rec"]
    )


@command(
    "rec",
    usage="rec [PLAN] N",
    summary="a recommendation: its exact text, source, actions, owners, RAG and latest update",
    details="N is the number (or letter) as printed in the report. PLAN is a plan's key or "
    "a word naming one plan; a year names that year's Ofsted inspection.",
    examples=("rec 4", "rec 2018 4", "rec cwd b", "4"),
    aliases=("recommendation", "r"),
)
def rec(ctx: Context, inv: Invocation) -> Reply:
    word, number = split_plan_and_number(inv.args)
    if ACTION_REF.match(number):
        raise UsageError(
            f"`{echo(number)}` looks like an action.", suggestions=[f"action {number}"]
        )
    if not REC_NUMBER.match(number):
        raise UsageError(
            f"“{echo(number)}” is not a recommendation number.", suggestions=["rec 1", "help rec"]
        )
    with ctx.db.sessions() as session:
        if word is None:  # the usual case in one statement; anything else the long way below
            current = current_recommendation_card(
                session, ctx.config.current_plan, number, ctx.today
            )
            if current is not None:
                shown = current.recommendation
                viewing = ctx.viewing(inv, f"rec {shown.plan.key} {shown.number}")
                return recommendation_view(current, viewing)
        plan = pick_plan(session, ctx, word, lambda key: f"rec {key} {number}")
        found = find_recommendation(session, plan, number)
        if found is None:
            numbers = recommendation_numbers(session, plan)
            raise UsageError(
                f"There is no recommendation {echo(number)} in `{plan.key}` ({echo(plan.title)}): "
                f"its recommendations are {describe_range(numbers)}.",
                suggestions=[f"rec {plan.key} {n}" for n in numbers[:3]],
            )
        card = recommendation_card(session, found, ctx.today)
    return recommendation_view(card, ctx.viewing(inv, f"rec {plan.key} {found.number}"))


@command(
    "fulltext", usage="fulltext ID", summary="the whole text of a long recommendation", listed=False
)
def fulltext(ctx: Context, inv: Invocation) -> Reply:
    if len(inv.args) != 1 or not inv.args[0].isdigit():
        raise UsageError("Use the *Show the full text* button on a recommendation.")
    with ctx.db.sessions() as session:
        found = recommendations_by_id(session, [int(inv.args[0])])
    if not found:
        raise UsageError("That recommendation is no longer in the plan.")
    return full_text_view(found[0])
