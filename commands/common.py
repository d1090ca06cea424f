"""Helpers the verbs share: choosing the plan a command means, and saying what exists."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from commands.context import Context
from commands.registry import UsageError
from commands.views.help import echo
from db.lookups import AmbiguousPlanError, PlanNotFoundError, current_plan, resolve_plan
from db.models import Plan


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
