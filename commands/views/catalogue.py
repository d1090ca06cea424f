"""Views that list things: plans, search results, boards and their meetings."""

from __future__ import annotations

from datetime import date

from commands.ids import ActionId
from commands.views.actions import Viewing, footer
from commands.views.deadline import clock_text
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
    person,
    rag_label,
    rerun,
    slack_weekday,
    when,
)
from db.channels import ChannelState
from db.models import Board
from db.plans import PlanSummary
from db.search import FoundAction, FoundRecommendation
from jobs.schedule import UpcomingMeeting
from jobs.statutory import clock_of

SEARCH_PER_PAGE = 8


def _clock_line(s: PlanSummary, today: date) -> str:
    """An inspection's statutory clock: the days left, or when it was due or submitted."""
    clock = clock_of(s.kind, s.published_on, s.received, s.submitted)
    if clock is not None:
        return f"\n:alarm_clock: {clock_text(clock, today)}"
    if s.submitted is not None:
        return f"\n:alarm_clock: action plan submitted to Ofsted {day(s.submitted)}"
    return ""


def plans_view(summaries: list[PlanSummary], v: Viewing) -> Reply:
    blocks: list[Kit | None] = [header("Improvement plans")]
    council = None
    for s in summaries[:40]:
        if s.council != council:
            council = s.council
            blocks.append(context(f"*{escape(council)}*"))
        current = " · *current*" if s.is_current else ""
        published = f" · published {s.published}" if s.published else ""
        blocks.append(
            mrkdwn(
                f"`{s.key}` {escape(s.title)}{current}\n{s.recommendations} recommendations · "
                f"{s.actions} actions{published}{_clock_line(s, v.today)}"
            )
        )
    blocks.append(
        context(
            "`/ofsted rec PLAN N` shows a recommendation of any plan: a plan's key, "
            "or a year for that year's inspection (`/ofsted rec 2018 4`)."
        )
    )
    return Reply(keep_within_limits(blocks), f"{len(summaries)} improvement plans")


def search_view(
    query: str,
    hits: list[FoundRecommendation | FoundAction],
    total: int,
    corrections: dict[str, str],
    v: Viewing,
) -> Reply:
    blocks: list[Kit | None] = [
        header(f"Search: {query}"),
    ]
    if corrections:
        fixed = ", ".join(f"{escape(a)} → {escape(b)}" for a, b in corrections.items())
        blocks.append(context(f"Showing results for close matches: {fixed}"))
    if not hits:
        blocks.append(
            mrkdwn(
                f"Nothing in the plans matches “{cut_escaped(query, 200)}”. Try fewer "
                "or other words, or `/ofsted plans` to browse."
            )
        )
    else:
        first = v.page * SEARCH_PER_PAGE + 1
        blocks.append(
            context(
                f"{total} match{'es' if total != 1 else ''}, best first"
                + (f" · showing {first}–{first + len(hits) - 1}" if total > len(hits) else "")
            )
        )
    for hit in hits:
        blocks.append(divider())
        if isinstance(hit, FoundRecommendation):
            command = f"rec {hit.plan_key} {hit.number}"
            blocks.append(
                mrkdwn(
                    f"*Recommendation {escape(hit.number)}* · `{hit.plan_key}`\n"
                    f"{cut_escaped(hit.text, 600)}"
                )
            )
        else:
            command = f"action {hit.plan_key} {hit.ref}"
            blocks.append(
                mrkdwn(
                    f"*Action {escape(hit.ref)}* · `{hit.plan_key}` · "
                    f"{rag_label(hit.rag)} · {hit.status.value}\n"
                    f"{cut_escaped(hit.title, 600)}"
                )
            )
        if not v.shared:
            blocks.append(buttons(button("Open", ActionId.RUN, rerun(command))))
    more = total > (v.page + 1) * SEARCH_PER_PAGE
    blocks += footer(v, more=more, shareable=bool(hits))
    return Reply(
        keep_within_limits(blocks),
        f"Search: {total} matches for {cut(query, 100)}",
        in_channel=v.shared,
    )


def channel_line(channel: str, state: ChannelState | None) -> str:
    """Whether the bot is in the board's channel, as Slack last said, and what to do if not."""
    shown = escape(channel if channel.startswith(("#", "C", "G")) else f"#{channel}")
    invite = "type `/invite @ofsted` in it"
    if state is None or (state.bot_member is None and not state.problem and not state.is_private):
        return f"Not yet checked whether the bot is in {shown} (it is before the first digest)."
    if state.bot_member:
        return f"The bot is in {shown}."
    if state.problem == "channel_not_found":
        return f"The bot cannot find {shown}: if it is private, {invite}; if not, check its name."
    if state.bot_member is False:
        return f"The bot is not in {shown}: {invite}."
    return f"{shown} is private: the bot posts there only once invited ({invite})."


def board_view(
    board: Board,
    meetings: list[UpcomingMeeting],
    v: Viewing,
    channel: ChannelState | None = None,
) -> Reply:
    """A board: cadence, what it oversees, its next meetings and what is sent when."""
    cadence = "weekly" if board.every_weeks == 1 else f"every {board.every_weeks} weeks"
    secretary = board.secretary_post
    lines = [
        f"Meets {cadence} · oversees {', '.join(f'`{p.key}`' for p in board.plans) or 'no plans'}",
        f"Secretary: {person(secretary.holder) if secretary else 'not set'}"
        + (f" · {escape(secretary.title)}" if secretary else "")
        + (f" · channel {escape(board.channel)}" if board.channel else ""),
    ]
    if board.channel:
        lines.append(channel_line(board.channel, channel))
    blocks: list[Kit | None] = [
        header(board.name),
        mrkdwn("\n".join(lines)),
        divider(),
    ]
    if not meetings:
        blocks.append(mrkdwn("_No meetings ahead._"))
    for m in meetings[:10]:
        moved = f" (moved from {day(m.cadence_date)})" if m.held_on != m.cadence_date else ""
        note = f" · {escape(m.note)}" if m.note else ""
        if m.cancelled:
            blocks.append(mrkdwn(f"~{day(m.held_on)}~ *cancelled*{note}"))
            continue
        blocks.append(
            mrkdwn(
                f"*{slack_weekday(m.held_on)}*{moved}{note}\n"
                f"Owner nudges {when(m.nudge_at, v.tz)} and {when(m.second_nudge_at, v.tz)} · "
                f"digest to the secretary {when(m.digest_at, v.tz)}"
            )
        )
    illustrative = ", ".join(board.illustrative)
    blocks.append(
        context(
            "UK time. A reminder falling on a weekend or bank holiday goes out the working day "
            "before." + (f" Illustrative values: {illustrative}." if illustrative else "")
        )
    )
    blocks += footer(v, more=False)
    return Reply(keep_within_limits(blocks), f"{board.name}: next meetings", in_channel=v.shared)


def boards_view(boards: list[Board], v: Viewing) -> Reply:
    blocks: list[Kit | None] = [header("Boards")]
    for board in boards[:20]:
        cadence = "weekly" if board.every_weeks == 1 else f"every {board.every_weeks} weeks"
        blocks.append(
            mrkdwn(
                f"*{escape(board.name)}* (`{board.key}`) · meets {cadence} · "
                f"oversees {', '.join(p.key for p in board.plans) or 'no plans'}"
            )
        )
    if not boards:
        blocks.append(mrkdwn("_No boards are set up. Boards come from the plan file._"))
    blocks.append(context("`/ofsted board NAME` shows a board's next meetings."))
    return Reply(keep_within_limits(blocks), f"{len(boards)} boards")
