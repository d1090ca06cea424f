"""Help, the RAG key, and the friendly answers to things the bot could not do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commands.ids import ActionId
from commands.views.kit import (
    RAG_EMOJI,
    RAG_MEANING,
    Kit,
    Reply,
    button,
    buttons,
    context,
    cut,
    cut_escaped,
    escape,
    header,
    keep_within_limits,
    mrkdwn,
    rerun,
    unescape,
)
from db.status import ActionStatus, Rag

NOT_IN_SCOPE = (
    "ofsted-bot tracks improvement plans, not children: never post child-level or "
    "case details here."
)


@dataclass(frozen=True)
class VerbHelp:
    name: str
    usage: str
    summary: str
    details: str = ""
    examples: tuple[str, ...] = ()


def help_view(verbs: Sequence[VerbHelp]) -> Reply:
    lines = [f"`/ofsted {v.usage}` · {v.summary}" for v in verbs]
    blocks: list[Kit | None] = [
        header("/ofsted: the improvement plan in Slack"),
        mrkdwn("\n".join(lines)),
        context(
            "A bare number is a recommendation: `/ofsted 4`. `PLAN` is a plan's key or a year "
            "(`/ofsted rec 2018 4`). Answers are private until you press *Share in channel*."
        ),
        buttons(button("RAG key", ActionId.RUN, rerun("help rag"))),
        context(NOT_IN_SCOPE),
    ]
    return Reply(keep_within_limits(blocks), "How to use /ofsted")


def verb_help_view(verb: VerbHelp) -> Reply:
    text = f"`/ofsted {verb.usage}`\n{verb.summary}"
    if verb.details:
        text += f"\n\n{verb.details}"
    if verb.examples:
        text += "\n\nFor example: " + ", ".join(f"`/ofsted {e}`" for e in verb.examples)
    return Reply(
        [
            header(f"/ofsted {verb.name}"),
            mrkdwn(text),
            context(NOT_IN_SCOPE),
        ],
        f"Help: /ofsted {verb.name}",
    )


def rag_key_view() -> Reply:
    lines = [
        f"{RAG_EMOJI[r]} *{r.value.capitalize()}*: {RAG_MEANING[r]}"
        for r in (Rag.GREEN, Rag.AMBER, Rag.RED)
    ]
    lines.append(f"{RAG_EMOJI['unrated']} *Not rated*: no RAG given yet")
    statuses = ", ".join(s.value for s in ActionStatus)
    blocks: list[Kit] = [
        header("RAG key"),
        mrkdwn("\n".join(lines)),
        context(f"Statuses: {statuses}. *Complete* needs evidence; *signed off* is the board's."),
    ]
    return Reply(blocks, "RAG key: green on track, amber at risk, red off track")


def problem_view(message: str, *, suggestions: Sequence[str] = (), hint: str = "") -> Reply:
    """Something the bot could not do, said plainly, with commands to try instead."""
    blocks: list[Kit | None] = [mrkdwn(f":thinking_face: {message}")]
    unique = list(dict.fromkeys(suggestions))[:5]
    if unique:
        blocks.append(buttons(*(button(f"/ofsted {s}", ActionId.RUN, rerun(s)) for s in unique)))
    if hint:
        blocks.append(context(hint))
    return Reply(keep_within_limits(blocks), cut(unescape(message), 300))


def internal_error_view(error_id: str) -> Reply:
    return Reply(
        [
            mrkdwn(
                f":warning: Sorry, something went wrong on our side and nothing was changed. "
                f"If it happens again, tell an admin the error id `{escape(error_id)}`."
            )
        ],
        f"Something went wrong (error id {error_id})",
    )


def database_down_view(error_id: str) -> Reply:
    return Reply(
        [
            mrkdwn(
                ":warning: Sorry, the plan's database is not answering just now, so nothing was "
                "read or changed. Try again in a few minutes; if it goes on, tell an admin the "
                f"error id `{escape(error_id)}`."
            )
        ],
        f"The database is not answering (error id {error_id})",
    )


def echo(text: str, limit: int = 200) -> str:
    """User text quoted back in a message: escaped and cut."""
    return cut_escaped(text, limit)
