"""A board's digest in Slack: one message (RAG per recommendation, with bars, and the counts)
and one message in its thread with the details; the chart and the board paper follow it there
as files (jobs/digest_files.py). Empty sections are left out, and what does not fit in one
message is cut with a pointer to the board paper, which has everything.

Bars: one square per action. A bar of more actions than fits (20 for the whole board, 10 for a
recommendation) uses one scale for all the bars of its kind, said beside them: each square is
then N actions, and each RAG is rounded up (so one red action still shows). The count of each
RAG is always written after the bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from commands.views.common import (
    MAX_BLOCKS,
    Kit,
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
from commands.views.reminders import EMOJI, due_text, rag_text
from jobs.digest_model import RAG_KEYS, ActionLine, Change, Digest

SECTION = 2900  # characters in a section block (Slack allows 3000)
BOARD_SQUARES = 20  # squares in the board's bar before a scale is used
REC_SQUARES = 10  # squares in a recommendation's bar before a scale is used
REC_CHUNKS = 20  # section blocks of recommendations in the digest's message
ITEMS = 20  # lines of a section in the thread; the board paper has the rest
SIGNOFF_BUTTONS = 10
KEY = (
    "🔴 red: off track, needs the board · 🟠 amber: at risk · 🟢 green: on track · "
    "✅ done: complete or signed off · ⚪ not rated"
)
SHORT = ("What changed", "Overdue", "Due", "Chase list", "Escalations", "Awaiting sign-off")
PAPER = "the board paper (XLSX) in this thread"


def scale(totals: Sequence[int], squares: int) -> int:
    """Actions per square so that the largest of `totals` fits in `squares` (at least 1)."""
    return max(1, -(-max(totals, default=0) // squares))


def bar(counts: dict[str, int], per: int = 1) -> str:
    """`per` actions a square (each RAG rounded up), then the count of each RAG."""
    if not sum(counts.values()):
        return "no actions"
    cells = "".join(EMOJI[k] * -(-counts.get(k, 0) // per) for k in RAG_KEYS)
    tally = " ".join(f"{EMOJI[k]}{counts[k]}" for k in RAG_KEYS if counts.get(k))
    return f"{cells}  {tally}"


def _per_square(per: int) -> str:
    return "one square per action" if per == 1 else f"each square is up to {per} actions"


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


def _counts(digest: Digest) -> list[tuple[int, str]]:
    return [
        (len(digest.changes), "updates since the last meeting"),
        (len(digest.overdue), "overdue"),
        (len(digest.due_before_next), "due before the next meeting"),
        (len(digest.chase), "with no update since the last meeting"),
        (len(digest.escalations), "escalated"),
        (len(digest.awaiting_signoff), "awaiting sign-off"),
    ]


def digest_summary(digest: Digest, tz: ZoneInfo) -> tuple[str, list[Kit]]:
    """The digest's message: RAG of all actions, the counts, RAG per recommendation."""
    totals = digest.totals
    recs = [r for r in digest.recommendations if r.total]
    per_rec = scale([r.total for r in recs], REC_SQUARES)
    per_board = scale([sum(totals.values())], BOARD_SQUARES)
    chunks = _chunks(
        [
            f"*{escape(r.plan_key)} {escape(r.number)}* {cut_escaped(r.text, 70)}\n"
            f"{bar(r.counts, per_rec)}"
            for r in recs
        ],
        SECTION,
    )
    counts = [f"*{n}* {label}" for n, label in _counts(digest) if n]
    blocks: list[Kit | None] = [
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
        mrkdwn(f"*RAG of all {sum(totals.values())} actions*\n{bar(totals, per_board)}"),
        mrkdwn(" · ".join(counts) if counts else "_Nothing to note since the last meeting._"),
        DividerBlock(),
        *(mrkdwn(chunk) for chunk in chunks[:REC_CHUNKS]),
    ]
    if len(chunks) > REC_CHUNKS:
        blocks.append(context("More recommendations are in the board paper (XLSX) in the thread."))
    scales = f"Bars: {_per_square(per_board)} (all actions)"
    scales += "." if per_rec == per_board else f", {_per_square(per_rec)} (recommendations)."
    blocks.append(context(f"Details, the chart and the board paper are in the thread. {scales}"))
    blocks.append(context(KEY))
    text = (
        f"{digest.board_name} digest for {day(digest.meeting)}: {totals.get('red', 0)} red, "
        f"{totals.get('amber', 0)} amber, {totals.get('green', 0)} green"
    )
    return text, keep_within_limits(blocks)


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


class _Budget:
    """Blocks of one message, keeping one free for saying what was left out."""

    def __init__(self) -> None:
        self.blocks: list[Kit] = []
        self.left_out: list[str] = []

    def add(self, title: str, blocks: Sequence[Kit]) -> None:
        room = MAX_BLOCKS - 1 - len(self.blocks)
        if len(blocks) > room:
            self.left_out.append(title)
        self.blocks += list(blocks)[: max(0, room)]

    def finish(self) -> list[Kit]:
        if self.left_out:
            self.blocks.append(
                context(f"Cut to fit one message: {', '.join(self.left_out)}. All is in {PAPER}.")
            )
        return self.blocks


def _section(title: str, lines: Sequence[str]) -> list[Kit]:
    shown = [*lines[:ITEMS]]
    if len(lines) > ITEMS:
        shown.append(f"_…and {len(lines) - ITEMS} more in {PAPER}._")
    return [mrkdwn(chunk) for chunk in _chunks([f"*{title}* ({len(lines)})", *shown], SECTION)]


def digest_details(
    digest: Digest, tz: ZoneInfo, today: date, *, signoff_buttons: bool, mention: bool = True
) -> tuple[str, list[Kit]]:
    """The digest's thread message: what changed, overdue, due, the chase list, escalations and
    completions awaiting sign-off; empty ones left out. `mention=False` (for a channel) names
    owners by post so that posting it pings nobody."""

    def line(x: ActionLine) -> str:
        return (
            f"*{escape(x.ref)}* {cut_escaped(x.title, 120)} · {rag_text(x)} · "
            f"{due_text(x, today)} · {_who(x, mention)}"
        )

    budget = _Budget()
    chase = sorted(digest.chase, key=lambda x: (x.owner_user or "~", x.ref))
    for title, lines in (
        ("What changed since the last meeting", [_change(c, tz, mention) for c in digest.changes]),
        ("Overdue", [line(x) for x in digest.overdue]),
        ("Due before the next meeting", [line(x) for x in digest.due_before_next]),
        (
            "Chase list: no update since the last meeting",
            [f"{_who(x, mention)} · *{escape(x.ref)}* {cut_escaped(x.title, 120)}" for x in chase],
        ),
        (
            "Escalations",
            [
                f"*{escape(c.ref)}* `{c.plan_key}`: {cut_escaped(c.escalation or '', 400)}"
                for c in digest.escalations
            ],
        ),
    ):
        if lines:
            budget.add(title, _section(title, lines))
    if digest.awaiting_signoff:
        waiting = digest.awaiting_signoff
        title = "Completions awaiting sign-off"
        blocks: list[Kit] = [mrkdwn(f"*{title}* ({len(waiting)})")]
        for x in waiting[:SIGNOFF_BUTTONS]:
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=cut(line(x), 3000)),
                    accessory=button("Sign off", "signoff", {"action": x.action_id})
                    if signoff_buttons
                    else None,
                )
            )
        if len(waiting) > SIGNOFF_BUTTONS:
            more = len(waiting) - SIGNOFF_BUTTONS
            blocks.append(context(f"…and {more} more in {PAPER}; `/ofsted signoff REF`."))
        budget.add(title, blocks)
    if not budget.blocks:
        budget.add(
            "",
            [
                mrkdwn(
                    "_Since the last meeting: no updates, nothing overdue or due, "
                    "no one to chase, nothing escalated or awaiting sign-off._"
                )
            ],
        )
    shown = [
        f"{label} ({n})"
        for n, label in zip((n for n, _ in _counts(digest)), SHORT, strict=True)
        if n
    ]
    text = f"Details for {day(digest.meeting)}: " + (" · ".join(shown) or "nothing to note")
    return cut(text, 3000), budget.finish()
