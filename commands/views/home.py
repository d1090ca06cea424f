"""App Home: my actions (overdue first, with Update buttons); admins also see the plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk.models.views import View

from commands.ids import ActionId, ActionRef
from commands.views.actions import Viewing, latest_text
from commands.views.deadline import home_clocks
from commands.views.kit import (
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
from commands.views.owners import posts_blocks
from db.actions import ActionPage
from db.models import Cover, Plan, Post
from db.recommendations import RagCount
from db.status import DONE
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


ILLUSTRATIVE = (
    "ℹ️ *These plans are illustrative.* The recommendations are real, quoted from the published "
    "reports; their actions' owners, due dates, statuses and RAG are made up (2022–23) to show "
    "how the bot works. To load your own: `ofsted-bot plan draft REPORT.pdf` drafts a plan from "
    "an Ofsted report, and `ofsted-bot plan import FILE` loads it (or your spreadsheet)."
)


@dataclass(frozen=True)
class HomeExtras:
    """What App Home shows besides the viewer's actions: whether the data is illustrative, the
    statutory clocks still running, and for admins the plan at a glance and the posts."""

    illustrative: bool = False
    plan: Plan | None = None
    glance: list[RagCount] | None = None
    posts: list[Post] | None = None
    covers: list[Cover] = field(default_factory=list)
    clocks: list[tuple[str, Clock]] = field(default_factory=list)


def home_view(mine: ActionPage, v: Viewing, extras: HomeExtras | None = None) -> View:
    extras = extras or HomeExtras()
    blocks: list[Kit] = [context(ILLUSTRATIVE)] if extras.illustrative else []
    blocks += home_clocks(extras.clocks, v.today)
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
    if extras.plan is not None and extras.glance is not None:
        blocks += _glance(extras.plan, extras.glance)
    if extras.posts is not None:
        blocks += [divider(), header("Posts and who holds them")]
        blocks += posts_blocks(extras.posts, extras.covers, admin=True)
    blocks.append(context("RAG key: `/ofsted help rag`. ofsted-bot tracks plans, not children."))
    return View(type="home", blocks=blocks[: View.blocks_max_length])
