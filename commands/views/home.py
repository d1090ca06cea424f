"""App Home: my actions (overdue first, with Update buttons); admins also see the plan."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from commands.views.actions import Viewing, due_text, latest_text
from commands.views.common import (
    RAG_EMOJI,
    Json,
    Kit,
    button,
    context,
    cut,
    cut_escaped,
    escape,
    rag_label,
    status_label,
)
from db.lookups import DONE, ActionPage
from db.models import Plan, Rag
from db.overview import RagCount

HOME_BLOCKS = 100


def _bar(counts: dict[str, int]) -> str:
    order = [
        ("red", RAG_EMOJI[Rag.RED]),
        ("amber", RAG_EMOJI[Rag.AMBER]),
        ("green", RAG_EMOJI[Rag.GREEN]),
        ("done", "✅"),
        ("unrated", "⚪"),
    ]
    parts = [f"{emoji} {counts[key]}" for key, emoji in order if counts.get(key)]
    return "  ".join(parts) or "no actions yet"


def home_view(
    mine: ActionPage, v: Viewing, *, plan: Plan | None = None, glance: list[RagCount] | None = None
) -> View:
    blocks: list[Kit] = [HeaderBlock(text=PlainTextObject(text="My actions"))]
    if not mine.total:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="You don't hold or cover a post that owns actions. "
                    "`/ofsted help` shows what you can look up."
                )
            )
        )
    for card in mine.cards:
        action = card.action
        done = action.status in DONE
        text = (
            f"*{escape(action.ref)}* {cut_escaped(action.title, 400)} · "
            f"`{action.recommendation.plan.key}`\n{rag_label(action.rag)} · "
            f"{status_label(action.status)} · {due_text(card, v.today)}"
        )
        accessory: Json | None = None
        if not done:
            accessory = button("Update", "update", {"action": action.id}, style="primary")
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=cut(text, 3000)), accessory=accessory)
        )
        blocks.append(context(latest_text(card.latest, v)))
    if mine.total > len(mine.cards):
        blocks.append(
            context(
                f"Showing {len(mine.cards)} of {mine.total}: `/ofsted mine` pages through them all."
            )
        )
    if plan is not None and glance is not None:
        blocks += [
            DividerBlock(),
            HeaderBlock(text=PlainTextObject(text=cut(f"The plan at a glance: {plan.key}", 150))),
        ]
        for row in glance[:40]:
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(
                        text=f"*{escape(row.number)}* {cut_escaped(row.text, 150)}\n"
                        + _bar(row.counts)
                    )
                )
            )
    blocks.append(context("RAG key: `/ofsted help rag`. ofsted-bot tracks plans, not children."))
    return View(type="home", blocks=blocks[:HOME_BLOCKS])
