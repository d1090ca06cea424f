"""The recommendation view: what Ofsted said, where, and the actions answering it."""

from __future__ import annotations

from commands.ids import ActionId
from commands.views.actions import Viewing, action_blocks, footer, page_of
from commands.views.kit import (
    Kit,
    Reply,
    button,
    buttons,
    context,
    cut,
    cut_escaped,
    day,
    divider,
    escape,
    header,
    keep_within_limits,
    mrkdwn,
    rerun,
)
from db.cards import PlanShown, RecommendationCard, RecommendationShown
from db.models import Plan, Recommendation

TEXT_SHOWN = 2800  # leaves room in the 3,000-character section for the "cut" note


def plan_line(plan: Plan | PlanShown) -> str:
    parts = [f"*{escape(plan.title)}*"]
    if plan.published:
        parts.append(f"published {day(plan.published)}")
    if plan.overall:
        parts.append(f"overall: {escape(plan.overall)}")
    parts.append(f"`{plan.key}`")
    return " · ".join(parts)


def source_line(rec: RecommendationShown) -> str:
    parts = []
    if rec.theme:
        parts.append(f"Theme: {escape(rec.theme.title)}")
    if rec.area:
        parts.append(f"Area: {escape(rec.area)}")
    source = rec.plan.source
    where = escape(source.title) if source else escape(rec.plan.body)
    if rec.paragraphs:
        where += f", para {', '.join(escape(p) for p in rec.paragraphs)}"
    parts.append(f"Source: {where}")
    if rec.findings:
        parts.append(f"Findings: paras {', '.join(escape(p) for p in rec.findings)}")
    return " · ".join(parts)


def recommendation_view(card: RecommendationCard, v: Viewing) -> Reply:
    rec = card.recommendation
    text = cut_escaped(rec.text, TEXT_SHOWN)
    was_cut = len(escape(rec.text)) > TEXT_SHOWN
    shown, more = page_of(card.actions, v.page)
    blocks: list[Kit | None] = [
        header(f"Recommendation {rec.number}"),
        context(plan_line(rec.plan)),
        mrkdwn(
            f">{text}" if not was_cut else f">{text}\n_(cut: the full text follows the button)_"
        ),
        buttons(button("Show the full text", ActionId.RUN, rerun(f"fulltext {rec.id}")))
        if was_cut and not v.shared
        else None,
        context(source_line(rec)),
    ]
    if rec.response:
        blocks.append(context(f"Council's response: {cut_escaped(rec.response, 1500)}"))
    blocks.append(divider())
    if not card.actions:
        blocks.append(mrkdwn("_No actions are recorded against this recommendation yet._"))
    elif v.page == 0 or len(card.actions) > len(shown):
        total = len(card.actions)
        blocks.append(
            context(
                f"{total} action{'s' if total != 1 else ''}"
                + (f" · page {v.page + 1}" if total > len(shown) else "")
            )
        )
    for action in shown:
        blocks += action_blocks(action, v)
    blocks += footer(v, more=more)
    title = f"Recommendation {rec.number} ({rec.plan.key}): {cut(rec.text, 200)}"
    return Reply(
        keep_within_limits(blocks), title, in_channel=v.shared, actions=[c.action.id for c in shown]
    )


def full_text_view(rec: Recommendation) -> Reply:
    """The whole text, over as many sections as it takes."""
    text = escape(rec.text)
    chunks: list[str] = []
    while text:
        piece = cut(text, 2900) if len(text) > 2900 else text
        piece = piece.removesuffix("…")
        chunks.append(piece)
        text = text[len(piece) :].lstrip()
    blocks: list[Kit | None] = [
        header(f"Recommendation {rec.number}, in full"),
        context(plan_line(rec.plan)),
        *(mrkdwn(chunk) for chunk in chunks[:45]),
    ]
    return Reply(keep_within_limits(blocks), f"Recommendation {rec.number} in full")
