"""An action's status and RAG, and the one rule that keeps them from contradicting each other."""

from __future__ import annotations

import enum


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "not started"
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    COMPLETE = "complete"
    SIGNED_OFF = "signed off"


class Rag(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


DONE = frozenset({ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF})
IMPLIED_RAG: dict[ActionStatus, Rag | None] = {
    ActionStatus.NOT_STARTED: None,  # not yet rated
    ActionStatus.ON_TRACK: Rag.GREEN,
    ActionStatus.AT_RISK: Rag.AMBER,
    ActionStatus.OFF_TRACK: Rag.RED,
    ActionStatus.COMPLETE: Rag.GREEN,
    ActionStatus.SIGNED_OFF: Rag.GREEN,
}

RAG_KEYS = ("red", "amber", "green", "done", "unrated")  # how counts of actions are kept


def rag_key(status: str, rag: str | None) -> str:
    """Which of RAG_KEYS an action counts under: done (complete or signed off, whatever its
    RAG), else its RAG, else unrated."""
    return "done" if status in DONE else (str(rag) if rag else "unrated")


def count_rag(counts: dict[str, int], status: str, rag: str | None, n: int = 1) -> None:
    """Add `n` actions of this status and RAG to `counts` (keyed by `rag_key`): how actions
    are counted by RAG everywhere (digest, chart, trend, plan overview)."""
    key = rag_key(status, rag)
    counts[key] = counts.get(key, 0) + n


# An action's reference as people type it and plans print it: "4.2", "2.1a", "B.3.1"; two to
# four parts of up to four letters or digits. The one pattern for the grammar, the status words
# and spreadsheet rows.
ACTION_REF_PATTERN = r"[A-Za-z0-9]{1,4}(?:\.[A-Za-z0-9]{1,4}){1,3}"


class RagConflictError(ValueError):
    """A RAG that contradicts the status (a complete action rated red or amber)."""


def settle_rag(
    status: ActionStatus,
    rag: Rag | None = None,
    *,
    status_changed: bool = True,
    current: Rag | None = None,
) -> Rag | None:
    """The one rule for an action's RAG, on every route (updates, forms, plan files).

    Complete and signed off are green (a RAG of red or amber with them is refused). Otherwise a
    RAG the owner gives is kept; without one, a change of status sets the RAG it implies (on
    track green, at risk amber, off track red, not started not yet rated) and an unchanged
    status keeps the current RAG."""
    if status in DONE:
        if rag not in (None, Rag.GREEN):
            raise RagConflictError(
                f"A {status.value} action is green, not {rag.value}: leave the RAG empty "
                "or choose green."
            )
        return Rag.GREEN
    if rag is not None:
        return rag
    return IMPLIED_RAG[status] if status_changed else current
