"""What owners, secretaries and admins receive before a meeting: nudges, the digest, alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.views.common import (
    RAG_EMOJI,
    button,
    context,
    cut,
    cut_escaped,
    day,
    escape,
    first_lines,
    keep_within_limits,
    mrkdwn,
    when,
)
from db.models import Rag
from jobs.digest_model import ActionLine, Change, Digest

NUDGE_ACTIONS = 20
SECTION = 2900
KEY = (
    "🔴 red: off track, needs the board · 🟠 amber: at risk · 🟢 green: on track · "
    "✅ done: complete or signed off · ⚪ not rated"
)
EMOJI = {
    "red": RAG_EMOJI[Rag.RED],
    "amber": RAG_EMOJI[Rag.AMBER],
    "green": RAG_EMOJI[Rag.GREEN],
    "done": "✅",
    "unrated": "⚪",
}


def _rag(line: ActionLine) -> str:
    return EMOJI.get(line.rag or "unrated", "⚪") + f" {line.rag or 'not rated'}"


def _due(line: ActionLine, today: date) -> str:
    text = f"due {day(line.due)}"
    if line.due and line.due_original and line.due != line.due_original:
        text += f", originally {day(line.due_original)}"
    if line.due and line.due < today:
        text += " · ⚠️ *overdue*"
    return text


def nudge_view(
    lines: Sequence[ActionLine],
    board: str,
    meeting: date,
    tz: ZoneInfo,
    today: date,
    *,
    second: bool = False,
) -> tuple[str, list[Block]]:
    """One DM per owner: their actions that need an update before the meeting."""
    opening = (
        "A reminder: these still have no update"
        if second
        else "Please update these before the meeting"
    )
    blocks: list[Block | None] = [
        mrkdwn(f"*The {escape(board)} meets on {meeting:%A} {day(meeting)}.* {opening}:"),
    ]
    for line in list(lines)[:NUDGE_ACTIONS]:
        last = (
            f"last update {when(line.last_update_at, tz)}: "
            f"“{cut_escaped(first_lines(line.last_update_text or '', 150), 150)}”"
            if line.last_update_at
            else "no update yet"
        )
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=cut(
                        f"*{escape(line.ref)}* {cut_escaped(line.title, 400)} · `{line.plan_key}`\n"
                        f"{_rag(line)} · {line.status} · {_due(line, today)}",
                        3000,
                    )
                ),
                accessory=button("Update", "update", {"action": line.action_id}, style="primary"),
            )
        )
        blocks.append(context(last))
    if len(lines) > NUDGE_ACTIONS:
        blocks.append(context(f"…and {len(lines) - NUDGE_ACTIONS} more: `/ofsted mine`."))
    example = lines[0].ref if lines else "4.2"
    blocks.append(
        context(
            f"Reply in this thread to log progress, e.g. `{example} amber: waiting "
            f"for HR` (a status word first is optional), or press *Update*."
        )
    )
    text = (
        f"{board} on {day(meeting)}: {len(lines)} action{'s' if len(lines) != 1 else ''} to update"
    )
    return text, keep_within_limits(blocks)


def _bar(counts: dict[str, int], width: int = 20) -> str:
    total = sum(counts.values())
    if not total:
        return "no actions"
    cells = "".join(
        EMOJI[k] * round(width * counts.get(k, 0) / total)
        for k in ("red", "amber", "green", "done", "unrated")
    )
    tally = " ".join(
        f"{EMOJI[k]}{counts[k]}"
        for k in ("red", "amber", "green", "done", "unrated")
        if counts.get(k)
    )
    return f"{cells[: width * 2]}  {tally}"


def digest_summary(digest: Digest, tz: ZoneInfo) -> tuple[str, list[Block]]:
    totals = digest.totals
    lines = [
        f"*{escape(r.plan_key)} {escape(r.number)}* {cut_escaped(r.text, 70)}\n{_bar(r.counts, 10)}"
        for r in digest.recommendations
        if r.total
    ]
    chunks = _chunks(lines, SECTION)
    blocks: list[Block | None] = [
        HeaderBlock(
            text=PlainTextObject(
                text=cut(f"{digest.board_name}: {digest.meeting:%A} {day(digest.meeting)}", 150)
            )
        ),
        context(
            f"Plans: {', '.join(digest.plans)} · since the last meeting "
            f"({day(digest.previous_meeting) if digest.previous_meeting else 'none yet'})"
            f" · prepared {when(digest.generated_at, tz)}"
        ),
        mrkdwn(f"*RAG of all actions*\n{_bar(totals)}"),
        mrkdwn(
            f"*{len(digest.changes)}* updates since the last meeting · *{len(digest.overdue)}* "
            f"overdue · *{len(digest.due_before_next)}* due before the next meeting · "
            f"*{len(digest.chase)}* with no update since the last meeting · "
            f"*{len(digest.escalations)}* escalated · *{len(digest.awaiting_signoff)}* "
            "awaiting sign-off"
        ),
        DividerBlock(),
        *(mrkdwn(chunk) for chunk in chunks[:20]),
    ]
    if len(chunks) > 20:
        blocks.append(context("More recommendations are in the board paper (XLSX) in the thread."))
    blocks.append(context(f"Details, the chart and the board paper are in the thread. {KEY}"))
    text = (
        f"{digest.board_name} digest for {day(digest.meeting)}: {totals.get('red', 0)} red, "
        f"{totals.get('amber', 0)} amber, {totals.get('green', 0)} green"
    )
    return text, keep_within_limits(blocks)


def _chunks(lines: Sequence[str], limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = cut(line, limit)
        if current and len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def _section(title: str, lines: Sequence[str], empty: str) -> tuple[str, list[Block]]:
    chunks = _chunks(lines, SECTION) or [f"_{empty}_"]
    blocks: list[Block | None] = [
        mrkdwn(f"*{title}* ({len(lines)})"),
        *(mrkdwn(c) for c in chunks[:45]),
    ]
    if len(chunks) > 45:
        blocks.append(context("The rest is in the board paper (XLSX)."))
    return f"{title}: {len(lines)}", keep_within_limits(blocks)


def _who(line: ActionLine, mention: bool) -> str:
    """The owner: a mention in the secretary's DM; in a channel the post (no mass ping)."""
    return f"<@{line.owner_user}>" if line.owner_user and mention else escape(line.owner_post)


def _change(change: Change, tz: ZoneInfo, mention: bool) -> str:
    moves = []
    if change.status_to and change.status_to != change.status_from:
        moves.append(f"{change.status_from or '–'} → {change.status_to}")
    if change.rag_to and change.rag_to != change.rag_from:
        moves.append(f"{EMOJI.get(change.rag_from or 'unrated')} → {EMOJI.get(change.rag_to)}")
    who = f" <@{change.author}>" if change.author and mention else ""
    return (
        f"*{escape(change.ref)}* `{change.plan_key}` {when(change.at, tz)}{who}"
        f"{' · ' + '; '.join(moves) if moves else ''}: "
        f"“{cut_escaped(first_lines(change.text, 160), 160)}”"
    )


def digest_details(
    digest: Digest, tz: ZoneInfo, today: date, *, signoff_buttons: bool, mention: bool = True
) -> list[tuple[str, list[Block]]]:
    """The digest's thread replies, each within Slack's limits. `mention=False` (for a channel)
    names owners by post so that posting it pings nobody."""

    def line(x: ActionLine) -> str:
        return (
            f"*{escape(x.ref)}* {cut_escaped(x.title, 120)} · {_rag(x)} · "
            f"{_due(x, today)} · {_who(x, mention)}"
        )

    details = [
        _section(
            "What changed since the last meeting",
            [_change(c, tz, mention) for c in digest.changes],
            "No updates since the last meeting.",
        ),
        _section("Overdue", [line(x) for x in digest.overdue], "Nothing is overdue."),
        _section(
            "Due before the next meeting",
            [line(x) for x in digest.due_before_next],
            "Nothing falls due before the next meeting.",
        ),
        _section(
            "Chase list: no update since the last meeting",
            [
                f"{_who(x, mention)} · *{escape(x.ref)}* {cut_escaped(x.title, 120)}"
                for x in sorted(digest.chase, key=lambda x: (x.owner_user or "~", x.ref))
            ],
            "Every open action has an update since the last meeting.",
        ),
        _section(
            "Escalations",
            [
                f"*{escape(c.ref)}* `{c.plan_key}`: {cut_escaped(c.escalation or '', 400)}"
                for c in digest.escalations
            ],
            "Nothing was escalated.",
        ),
    ]
    title = "Completions awaiting sign-off"
    if not digest.awaiting_signoff:
        details.append(_section(title, [], "Nothing is waiting for sign-off."))
    else:
        blocks: list[Block | None] = [mrkdwn(f"*{title}* ({len(digest.awaiting_signoff)})")]
        for x in digest.awaiting_signoff[:15]:
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=cut(line(x), 3000)),
                    accessory=button("Sign off", "signoff", {"action": x.action_id})
                    if signoff_buttons
                    else None,
                )
            )
        if len(digest.awaiting_signoff) > 15:
            blocks.append(context("More are listed in the board paper; `/ofsted signoff REF`."))
        details.append((f"{title}: {len(digest.awaiting_signoff)}", keep_within_limits(blocks)))
    return details


def alert_view(key: str, recipient: str, error: str) -> tuple[str, list[Block]]:
    text = (
        f"⚠️ ofsted-bot could not send `{escape(key)}` to {escape(recipient)}: "
        f"`{escape(error)}`. Check the board's channel and the post holders "
        "(`ofsted-bot owners list`), then invite the bot or fix the mapping."
    )
    return cut(text, 300), [mrkdwn(text)]
