"""`/ofsted board [NAME]`: a board's next meetings; `board move|cancel` changes one meeting."""

from __future__ import annotations

from datetime import date

from commands.context import Context, Invocation
from commands.registry import UsageError, command
from commands.views.catalogue import board_view, boards_view
from commands.views.help import echo
from commands.views.kit import Reply, context, mrkdwn, weekday
from db.boards import all_boards, meeting_overrides
from db.channels import channel_state
from db.models import Board
from db.plans import current_plan
from db.updates import UpdateRefusedError
from jobs.meetings import cancel_meeting, find_board, move_meeting
from jobs.schedule import upcoming_meetings


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"“{echo(text)}” is not a date: write it as 2022-09-14.") from None


def change_meeting(ctx: Context, args: tuple[str, ...]) -> Reply:
    """`board move NAME FROM TO` or `board cancel NAME DATE` (secretary or admin)."""
    verb, rest = args[0].lower(), args[1:]
    wanted = 3 if verb == "move" else 2
    if len(rest) != wanted:
        usage = (
            "board move AEB 2022-09-14 2022-09-21"
            if verb == "move"
            else "board cancel AEB 2022-09-14"
        )
        raise UsageError(f"Use `/ofsted {usage}`.")
    try:
        with ctx.db.writes.begin() as session:
            board = find_board(session, rest[0])
            if board is None:
                raise UsageError(f"No board is called “{echo(rest[0])}”.")
            if verb == "move":
                change = move_meeting(
                    session,
                    board,
                    _day(rest[1]),
                    _day(rest[2]),
                    ctx.user_id,
                    today=ctx.today,
                    admins=ctx.config.admins,
                )
            else:
                change = cancel_meeting(
                    session,
                    board,
                    _day(rest[1]),
                    ctx.user_id,
                    today=ctx.today,
                    admins=ctx.config.admins,
                )
    except UpdateRefusedError as refused:
        raise UsageError(str(refused)) from None
    which = (
        f" (its meeting of {change.cadence_date:%-d %b %Y}, moved there)"
        if change.held_on != change.cadence_date and verb == "cancel"
        else ""
    )
    what = (
        f"now meets on {weekday(change.held_on)} instead of {weekday(_day(rest[1]))}"
        if verb == "move"
        else f"will not meet on {weekday(change.held_on)}{which}"
    )
    text = f"The {change.board} {what}. Reminders follow the meeting; the cadence is unchanged."
    return Reply([mrkdwn(text), context("`/ofsted board` shows the next meetings.")], text)


def _match_board(boards: list[Board], name: str) -> list[Board]:
    name = name.lower().strip()
    exact = [b for b in boards if name in (b.key, b.name.lower())]
    if exact:
        return exact
    words = name.split()
    return [b for b in boards if all(w in b.name.lower() or w in b.key for w in words)]


@command(
    "board",
    usage="board [NAME]",
    summary="a board's next meetings and when owners and the secretary hear from the bot",
    details="The secretary or an admin can move or cancel one meeting without changing the "
    "cadence: `board move aeb 2022-09-14 2022-09-21`, `board cancel aeb 2022-09-14`. "
    "Subscribe to a board's meetings: `ofsted-bot board ics NAME`, or `/boards/NAME.ics` "
    "on the bot's web address.",
    examples=("board", "board aeb", "board achieving excellence"),
    aliases=("boards",),
)
def board(ctx: Context, inv: Invocation) -> Reply:
    if inv.args and inv.args[0].lower() in {"move", "cancel"}:
        return change_meeting(ctx, inv.args)
    with ctx.db.sessions() as session:
        boards = all_boards(session)
        if inv.raw:
            chosen = _match_board(boards, inv.raw)
        else:
            current = current_plan(session, ctx.config.current_plan)
            chosen = [b for b in boards if any(p.id == current.id for p in b.plans)]
            if len(chosen) != 1:
                return boards_view(boards, ctx.viewing(inv, "board"))
        if not chosen:
            raise UsageError(
                f"No board is called “{echo(inv.raw)}”.",
                suggestions=[f"board {b.key}" for b in boards[:5]],
            )
        if len(chosen) > 1:
            raise UsageError(
                f"“{echo(inv.raw)}” could be {len(chosen)} boards. Which one?",
                suggestions=[f"board {b.key}" for b in chosen],
            )
        found = chosen[0]
        overrides = meeting_overrides(session, found, ctx.today)
        channel = channel_state(session, found.channel) if found.channel else None
    meetings = upcoming_meetings(found, overrides, ctx.today, ctx.tz, count=3)
    return board_view(found, meetings, ctx.viewing(inv, f"board {found.key}"), channel)
