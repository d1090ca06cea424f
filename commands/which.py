"""What the verbs share: which plan or action a command means, and how to say what exists."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from commands.context import Context, Invocation
from commands.grammar import ACTION_REF
from commands.registry import UsageError
from commands.views.help import echo
from db.actions import action_refs, find_action, find_current_action, plans_with_action
from db.cards import ActionCard, ActionRow
from db.models import Plan
from db.plans import AmbiguousPlanError, PlanNotFoundError, current_plan, resolve_plan


def pick_plan(
    session: Session, ctx: Context, word: str | None, retry: Callable[[str], str]
) -> Plan:
    """The plan a word names (or the current plan), else a UsageError offering the choices.

    `retry(key)` is the command to suggest for each candidate plan.
    """
    try:
        if word is None:
            return current_plan(session, ctx.config.current_plan)
        return resolve_plan(session, word, ctx.config.current_plan)
    except AmbiguousPlanError as exc:
        keys = [p.key for p in exc.choices]
        raise UsageError(
            f"“{echo(word or '')}” could mean {len(keys)} plans: "
            f"{', '.join(f'`{k}`' for k in keys)}. Which one?",
            suggestions=[retry(k) for k in keys],
        ) from None
    except PlanNotFoundError as exc:
        if word is None:
            raise UsageError(str(exc)) from None
        raise UsageError(
            f"No plan is called “{echo(word)}”.",
            suggestions=["plans"],
            hint="`/ofsted plans` lists them; use a key or a year.",
        ) from None


def describe_range(values: Sequence[str]) -> str:
    """`1–6`, `a–h`, or the values listed when they are not a simple run."""
    if not values:
        return "none"
    if all(v.isdigit() for v in values):
        numbers = [int(v) for v in values]
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
    if all(len(v) == 1 and v.isalpha() for v in values):
        codes = [ord(v) for v in values]
        if codes == list(range(codes[0], codes[0] + len(codes))):
            return f"{values[0]}–{values[-1]}" if len(values) > 1 else values[0]
    shown = ", ".join(values[:30])
    return shown + (f" and {len(values) - 30} more" if len(values) > 30 else "")


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


def named_action(session: Session, ctx: Context, ref: str, verb: str) -> ActionRow:
    """The action a ref names, found as `/ofsted action` finds it (same answers if not)."""
    return find_card(session, ctx, Invocation(verb, (ref,), ref), verb).action
