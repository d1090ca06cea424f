"""Views of actions: one action, lists (mine, overdue, an owner's), an action's history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from commands.ids import ActionId, ActionRef
from commands.views.decisions import decided_note
from commands.views.kit import (
    Kit,
    Reply,
    button,
    buttons,
    context,
    cut,
    cut_escaped,
    cut_linked,
    day,
    divider,
    due_text,
    escape,
    header,
    keep_within_limits,
    mrkdwn,
    person,
    quoted,
    rag_label,
    rerun,
    status_label,
    when,
)
from db.actions import ActionPage
from db.cards import ActionCard, UpdateRow
from db.due_dates import DateRequestRow
from db.models import Update
from db.status import DONE, ActionStatus

ACTIONS_PER_PAGE = 10


@dataclass(frozen=True)
class Viewing:
    """Who is looking, when, and how the answer will be shown."""

    viewer: str
    tz: ZoneInfo
    today: date
    command: str = ""
    page: int = 0
    shared: bool = False
    admin: bool = False  # may update any action, and sign off one they do not own


def is_owner(card: ActionCard, viewer: str) -> bool:
    people = (card.owner, card.covering)
    return any(p is not None and p.slack_user_id == viewer for p in people)


def may_sign_off(card: ActionCard, v: Viewing) -> bool:
    """*Sign off* is shown only to whom it works for without more: an admin who neither owns
    nor covers the action, once it is complete with its evidence logged. (The secretary signs
    off from the digest, where the buttons are theirs, or with `/ofsted signoff`.)"""
    action = card.action
    return (
        v.admin
        and not is_owner(card, v.viewer)
        and action.status == ActionStatus.COMPLETE
        and bool((action.evidence or "").strip())
    )


def owner_text(card: ActionCard, v: Viewing) -> str:
    post = card.action.owner_post
    if post is None:
        return "Owner: no post set"
    who = person(card.owner, mention=not v.shared)
    text = f"Owner: {who} · {escape(post.title)}" if who else f"Owner: {escape(post.title)}"
    covering = person(card.covering, mention=not v.shared) if card.covering else ""
    if covering:
        text += f" (covered today by {covering})"
    return text


def latest_text(update: UpdateRow | None, v: Viewing) -> str:
    if update is None:
        return "_No update logged yet._"
    change = ""
    if update.rag_to and update.rag_to != update.rag_from:
        change = f" → {rag_label(update.rag_to)}"
    who = person(update.author, mention=not v.shared)
    return (
        f"Latest update{change}{', ' + who if who else ''}, {when(update.created_at, v.tz)}: "
        f"{quoted(update.text, 300)}"
    )


def action_blocks(card: ActionCard, v: Viewing, *, with_plan: bool = False) -> list[Kit]:
    """Three blocks: what and who, the latest update, and its buttons."""
    action = card.action
    where = ""
    if with_plan:
        rec = action.recommendation
        where = f" · {escape(rec.plan.key)} rec {escape(rec.number)}"
    lines = [
        f"*{escape(action.ref)}* {cut_escaped(action.title, 1500)}{where}",
        f"{rag_label(action.rag)} · {status_label(action.status)} · {due_text(action, v.today)}",
        owner_text(card, v),
    ]
    blocks: list[Kit] = [mrkdwn("\n".join(lines)), context(latest_text(card.latest, v))]
    if not v.shared:
        row = buttons(
            button(
                "History",
                ActionId.HISTORY,
                rerun(f"history {action.recommendation.plan.key} {action.ref}"),
            ),
            button("Update", ActionId.UPDATE, ActionRef(action=action.id), style="primary")
            if (v.admin or is_owner(card, v.viewer)) and action.status not in DONE
            else None,
            button("Sign off", ActionId.SIGNOFF, ActionRef(action=action.id))
            if may_sign_off(card, v)
            else None,
        )
        if row is not None:
            blocks.append(row)
    return blocks


def page_of(cards: list[ActionCard], page: int) -> tuple[list[ActionCard], bool]:
    start = page * ACTIONS_PER_PAGE
    return cards[start : start + ACTIONS_PER_PAGE], len(cards) > start + ACTIONS_PER_PAGE


def footer(v: Viewing, *, more: bool, shareable: bool = True) -> list[Kit]:
    if v.shared:
        return [context(f"Shared from `/ofsted {escape(v.command)}` · RAG key: `/ofsted help rag`")]
    row = buttons(
        button("Share in channel", ActionId.SHARE, rerun(v.command, page=v.page))
        if shareable
        else None,
        button(f"More ▸ (page {v.page + 2})", ActionId.MORE, rerun(v.command, page=v.page + 1))
        if more
        else None,
        button("RAG key", ActionId.RUN, rerun("help rag")),
    )
    return [row] if row else []


def action_view(card: ActionCard, v: Viewing) -> Reply:
    action = card.action
    rec = action.recommendation
    blocks: list[Kit | None] = [
        header(f"Action {action.ref}"),
        context(
            f"{escape(rec.plan.title)} · recommendation {escape(rec.number)}: "
            f"{cut_escaped(rec.text, 300)}"
        ),
        *action_blocks(card, v),
    ]
    if action.evidence:
        blocks.append(context(f"Evidence: {cut_escaped(action.evidence, 1000)}"))
    blocks += footer(v, more=False)
    return Reply(
        keep_within_limits(blocks),
        f"Action {action.ref}: {cut(action.title, 200)}",
        in_channel=v.shared,
        actions=[action.id],
    )


def action_list_view(title: str, page: ActionPage, v: Viewing, *, empty: str) -> Reply:
    """A page of a list of actions (across plans), e.g. mine, overdue, an owner's."""
    blocks: list[Kit | None] = [header(title)]
    if not page.total:
        blocks.append(mrkdwn(empty))
    else:
        first = page.page * page.per_page + 1
        last = first + len(page.cards) - 1
        count = f"{page.total} action{'s' if page.total != 1 else ''}"
        blocks.append(
            context(count + (f" · showing {first}–{last}" if page.total > len(page.cards) else ""))
        )
        for card in page.cards:
            blocks.append(divider())
            blocks += action_blocks(card, v, with_plan=True)
    blocks += footer(v, more=page.has_more, shareable=bool(page.total))
    return Reply(
        keep_within_limits(blocks),
        f"{title}: {page.total} actions",
        in_channel=v.shared,
        actions=[c.action.id for c in page.cards],
    )


HISTORY_PER_PAGE = 10


def history_view(
    card: ActionCard,
    updates: list[Update],
    total: int,
    v: Viewing,
    requests: Mapping[int, DateRequestRow] | None = None,
) -> Reply:
    """Every update, newest first; under one asking for a new due date, the board's decision
    (`requests`: by the asking update's id)."""
    action = card.action
    blocks: list[Kit | None] = [
        header(f"History of action {action.ref}"),
        context(
            f"{cut_escaped(action.title, 500)} · {rag_label(action.rag)} · "
            f"{status_label(action.status)} · {due_text(action, v.today)}"
        ),
    ]
    if not updates:
        blocks.append(mrkdwn("No updates have been logged for this action yet."))
    for update in updates:
        changes = []
        if update.status_to and update.status_to != update.status_from:
            changes.append(f"status {update.status_from or '–'} → {update.status_to}")
        if update.rag_to and update.rag_to != update.rag_from:
            changes.append(f"RAG {rag_label(update.rag_from)} → {rag_label(update.rag_to)}")
        request = (requests or {}).get(update.id)
        if update.due_to:
            changes.append(f"new due date asked for: {day(update.due_from)} → {day(update.due_to)}")
        if request is not None:
            changes.append(decided_note(request))
        if update.retracted:
            changes.append("retracted")
        head = f"*{when(update.created_at, v.tz)}* · {person(update.author)} · {update.source}"
        if update.version > 1:
            head += f" · version {update.version}"
        if update.on_behalf_of:
            head += f" (for {person(update.on_behalf_of)})"
        body = cut_linked(update.text, 2500) if update.text else "_(no text)_"
        blocks.append(mrkdwn(f"{head}\n{'; '.join(changes) + chr(10) if changes else ''}{body}"))
    more = total > (v.page + 1) * HISTORY_PER_PAGE
    blocks += footer(v, more=more, shareable=False)
    return Reply(keep_within_limits(blocks), f"History of action {action.ref}")
