"""App Home: my actions (overdue first, with Update buttons); admins also see the plan."""

from __future__ import annotations

from slack_sdk.models.views import View

from commands.ids import ActionId, ActionRef
from commands.views.actions import Viewing, latest_text
from commands.views.common import (
    REC_SQUARES,
    Json,
    Kit,
    bar,
    button,
    context,
    cut_escaped,
    divider,
    due_text,
    escape,
    header,
    mrkdwn,
    per_square,
    rag_label,
    scale,
    status_label,
)
from commands.views.deadline import home_clocks
from db.lookups import DONE, ActionPage
from db.models import Plan
from db.overview import RagCount
from jobs.statutory import Clock

GLANCE = 40  # recommendations shown at a glance


def _glance(plan: Plan, glance: list[RagCount]) -> list[Kit]:
    """The plan at a glance: each recommendation with its bar, then the bars' scale."""
    shown = glance[:GLANCE]
    per = scale([sum(row.counts.values()) for row in shown], REC_SQUARES)
    return [
        divider(),
        header(f"The plan at a glance: {plan.key}"),
        *(
            mrkdwn(f"*{escape(row.number)}* {cut_escaped(row.text, 150)}\n{bar(row.counts, per)}")
            for row in shown
        ),
        context(f"Bars: {per_square(per)}."),
    ]


def home_view(
    mine: ActionPage,
    v: Viewing,
    *,
    plan: Plan | None = None,
    glance: list[RagCount] | None = None,
    clocks: list[tuple[str, Clock]] | None = None,
) -> View:
    """My actions; the statutory clocks still running; for admins, the plan at a glance."""
    blocks: list[Kit] = home_clocks(clocks or [], v.today)
    blocks.append(header("My actions"))
    if not mine.total:
        blocks.append(
            mrkdwn(
                "You don't hold or cover a post that owns actions. "
                "`/ofsted help` shows what you can look up."
            )
        )
    for card in mine.cards:
        action = card.action
        done = action.status in DONE
        text = (
            f"*{escape(action.ref)}* {cut_escaped(action.title, 400)} · "
            f"`{action.recommendation.plan.key}`\n{rag_label(action.rag)} · "
            f"{status_label(action.status)} · {due_text(action, v.today)}"
        )
        accessory: Json | None = None
        if not done:
            accessory = button(
                "Update", ActionId.UPDATE, ActionRef(action=action.id), style="primary"
            )
        blocks.append(mrkdwn(text, accessory=accessory))
        blocks.append(context(latest_text(card.latest, v)))
    if mine.total > len(mine.cards):
        blocks.append(
            context(
                f"Showing {len(mine.cards)} of {mine.total}: `/ofsted mine` pages through them all."
            )
        )
    if plan is not None and glance is not None:
        blocks += _glance(plan, glance)
    blocks.append(context("RAG key: `/ofsted help rag`. ofsted-bot tracks plans, not children."))
    return View(type="home", blocks=blocks[: View.blocks_max_length])
