"""A board's digest in Slack: one message (RAG per recommendation, with bars, and the counts)
and one message in its thread with the details; the chart and the board paper follow it there
as files (jobs/digest_files.py). Empty sections are left out, and what does not fit in one
message is cut with a pointer to the board paper, which has everything.

Bars (commands/views/kit.py): one square per action, up to 20 for the whole board and 10 for
a recommendation; more than that, and a scale is used and said beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from commands.ids import ActionId, ActionRef
from commands.views.decisions import DECISIONS_TITLE, decision_blocks
from commands.views.kit import (
    BOARD_SQUARES,
    FALLBACK_TEXT,
    MAX_BLOCKS,
    RAG_EMOJI,
    REC_SQUARES,
    Kit,
    bar,
    button,
    context,
    cut,
    cut_escaped,
    day,
    divider,
    due_text,
    escape,
    header,
    keep_within_limits,
    mrkdwn,
    per_square,
    quoted,
    rag_label,
    scale,
    slack_date,
    weekday,
    when,
)
from jobs.digest_model import ActionLine, Change, Digest

SECTION = 2900  # characters in a section block (Slack allows 3000)
REC_CHUNKS = 20  # section blocks of recommendations in the digest's message
ITEMS = 20  # lines of a section in the thread; the board paper has the rest
SIGNOFF_BUTTONS = 10
KEY = (
    f"{RAG_EMOJI['red']} red: off track, needs the board · {RAG_EMOJI['amber']} amber: at risk · "
    f"{RAG_EMOJI['green']} green: on track · {RAG_EMOJI['done']} done: complete or signed off · "
    f"{RAG_EMOJI['unrated']} not rated"
)
SHORT = ("What changed", "Overdue", "Due", "Chase list", "Escalations", "Awaiting sign-off",
         "Decisions")  # fmt: skip
PAPER = "the board paper (XLSX) in this thread"
SIGNOFF_TITLE = "Completions awaiting sign-off"
NOTHING_TO_NOTE = (
    "_Since the last meeting: no updates, nothing overdue or due, "
    "no one to chase, nothing escalated or awaiting sign-off._"
)


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
        (
            len(digest.changes),
            f"update{'s' if len(digest.changes) != 1 else ''} since the last meeting",
        ),
        (len(digest.overdue), "overdue"),
        (len(digest.due_before_next), "due before the next meeting"),
        (len(digest.chase), "with no update since the last meeting"),
        (len(digest.escalations), "escalated"),
        (len(digest.awaiting_signoff), "awaiting sign-off"),
        (
            len(digest.date_requests),
            "new due date" + ("s" if len(digest.date_requests) != 1 else "") + " to decide",
        ),
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
        header(f"{digest.board_name}: {weekday(digest.meeting)}"),
        context(
            f"Plans: {', '.join(digest.plans)} · since the last meeting "
            f"({day(digest.previous_meeting) if digest.previous_meeting else 'none yet'})"
            f" · prepared {when(digest.generated_at, tz)}"
        ),
        mrkdwn(f"*RAG of all {sum(totals.values())} actions*\n{bar(totals, per_board)}"),
        mrkdwn(" · ".join(counts) if counts else "_Nothing to note since the last meeting._"),
        divider(),
        *(mrkdwn(chunk) for chunk in chunks[:REC_CHUNKS]),
    ]
    if len(chunks) > REC_CHUNKS:
        blocks.append(context("More recommendations are in the board paper (XLSX) in the thread."))
    scales = f"Bars: {per_square(per_board)} (all actions)"
    scales += "." if per_rec == per_board else f", {per_square(per_rec)} (recommendations)."
    blocks.append(context(f"Details, the chart and the board paper are in the thread. {scales}"))
    blocks.append(context(KEY))
    text = (
        f"{digest.board_name} digest for {day(digest.meeting)}: {totals.get('red', 0)} red, "
        f"{totals.get('amber', 0)} amber, {totals.get('green', 0)} green"
    )
    return text, keep_within_limits(blocks)


def _who(line: ActionLine, mention: bool) -> str:
    """The owner: a mention in the secretary's DM; in a channel the post and the person's name
    (a mention there would notify them)."""
    if line.owner_user and mention:
        return f"<@{line.owner_user}>"
    name = line.owner_name
    return escape(f"{line.owner_post} ({name})" if name else line.owner_post)


def _change(change: Change, tz: ZoneInfo, mention: bool) -> str:
    moves = []
    if change.status_to and change.status_to != change.status_from:
        moves.append(f"{change.status_from or '–'} → {change.status_to}")
    if change.rag_to and change.rag_to != change.rag_from:
        moves.append(f"{RAG_EMOJI[change.rag_from or 'unrated']} → {RAG_EMOJI[change.rag_to]}")
    if change.due_to:
        moves.append(f"asks the board for a new due date, {slack_date(change.due_to)}")
    who = f" <@{change.author}>" if change.author and mention else ""
    if change.author_name and not mention:
        who = f" {escape(change.author_name)}"
    return (
        f"*{escape(change.ref)}* `{change.plan_key}` {when(change.at, tz)}{who}"
        f"{' · ' + '; '.join(moves) if moves else ''}: "
        f"{quoted(change.text, 160)}"
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


def _line(x: ActionLine, today: date, mention: bool) -> str:
    return (
        f"*{escape(x.ref)}* {cut_escaped(x.title, 120)} · {rag_label(x.rag)} · "
        f"{due_text(x, today)} · {_who(x, mention)}"
    )


def _listed(
    digest: Digest, tz: ZoneInfo, today: date, mention: bool
) -> list[tuple[str, list[str]]]:
    """The thread's sections of lines, by title: changes, overdue, due, chase, escalations."""
    chase = sorted(digest.chase, key=lambda x: (x.owner_user or "~", x.ref))
    of = {(x.plan_key, x.ref): x for x in digest.actions}
    return [
        ("What changed since the last meeting", [_change(c, tz, mention) for c in digest.changes]),
        ("Overdue", [_line(x, today, mention) for x in digest.overdue]),
        ("Due before the next meeting", [_line(x, today, mention) for x in digest.due_before_next]),
        (
            "Chase list: no update since the last meeting",
            [f"{_who(x, mention)} · *{escape(x.ref)}* {cut_escaped(x.title, 120)}" for x in chase],
        ),
        ("Escalations", [_escalation(c, of, today, mention) for c in digest.escalations]),
    ]


def _escalation(
    change: Change, of: dict[tuple[str, str], ActionLine], today: date, mention: bool
) -> str:
    """Which action (title, RAG, owner) and why it needs the board."""
    line = of.get((change.plan_key, change.ref))
    what = _line(line, today, mention) if line else f"*{escape(change.ref)}* {escape(change.title)}"
    return f"{what} · `{change.plan_key}`\n> {cut_escaped(change.escalation or '', 400)}"


def _signoff_line(x: ActionLine, today: date, decider: str | None, mention: bool) -> Kit:
    """A completion: *Sign off* only for the one deciding (the secretary in their digest), only
    with logged evidence, and never on an action they own or cover."""
    text = _line(x, today, mention)
    if not (x.evidence or "").strip():
        return mrkdwn(f"{text}\n_No evidence logged: it cannot be signed off yet._")
    may = decider is not None and decider != x.owner_user
    return mrkdwn(
        f"{text}\nEvidence: {cut_escaped(x.evidence or '', 200)}",
        accessory=button("Sign off", ActionId.SIGNOFF, ActionRef(action=x.action_id))
        if may
        else None,
    )


def _awaiting_signoff(
    waiting: Sequence[ActionLine], today: date, *, decider: str | None, mention: bool
) -> list[Kit]:
    """Completions awaiting sign-off, with Sign off buttons for the one deciding."""
    blocks: list[Kit] = [mrkdwn(f"*{SIGNOFF_TITLE}* ({len(waiting)})")]
    for x in waiting[:SIGNOFF_BUTTONS]:
        blocks.append(_signoff_line(x, today, decider, mention))
    if len(waiting) > SIGNOFF_BUTTONS:
        more = len(waiting) - SIGNOFF_BUTTONS
        blocks.append(context(f"…and {more} more in {PAPER}; `/ofsted signoff REF`."))
    return blocks


def _details_text(digest: Digest) -> str:
    shown = [
        f"{label} ({n})"
        for n, label in zip((n for n, _ in _counts(digest)), SHORT, strict=True)
        if n
    ]
    text = f"Details for {day(digest.meeting)}: " + (" · ".join(shown) or "nothing to note")
    return cut(text, FALLBACK_TEXT)


def digest_details(
    digest: Digest,
    tz: ZoneInfo,
    today: date,
    *,
    decider: str | None = None,
    mention: bool = True,
) -> tuple[str, list[Kit]]:
    """The digest's thread message: what changed, overdue, due, the chase list, escalations and
    completions awaiting sign-off; empty ones left out. `mention=False` (for a channel) names
    owners by post so that posting it pings nobody. `decider`: the Slack user the message is
    for who may decide (the secretary's DM, an admin's preview): only they get buttons."""
    budget = _Budget()
    for title, lines in _listed(digest, tz, today, mention):
        if lines:
            budget.add(title, _section(title, lines))
    if digest.date_requests:
        budget.add(
            DECISIONS_TITLE,
            decision_blocks(digest.date_requests, tz, decider=decider, mention=mention),
        )
    if digest.awaiting_signoff:
        budget.add(
            SIGNOFF_TITLE,
            _awaiting_signoff(digest.awaiting_signoff, today, decider=decider, mention=mention),
        )
    if not budget.blocks:
        budget.add("", [mrkdwn(NOTHING_TO_NOTE)])
    return _details_text(digest), budget.finish()
