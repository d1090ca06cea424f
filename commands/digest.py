"""`/ofsted digest [BOARD]`: preview the pre-meeting digest a board secretary gets."""

from __future__ import annotations

from commands.context import Context, Invocation
from commands.registry import UsageError, command
from commands.views.digest import digest_details, digest_summary
from commands.views.help import echo
from commands.views.kit import MAX_BLOCKS, Reply, context, mrkdwn
from db.boards import all_boards
from db.models import Board
from db.plans import current_plan
from jobs.digest import digest_for, next_meeting
from jobs.meetings import ensure_meetings, find_board


@command(
    "digest",
    usage="digest [BOARD]",
    summary="the digest the board's secretary will get, privately, now",
    examples=("digest", "digest aeb"),
    aliases=("preview",),
)
def digest_preview(ctx: Context, inv: Invocation) -> Reply:
    """The digest of the next meeting, privately, now: the summary and its details."""
    with ctx.db.writes.begin() as session:
        board: Board | None
        if inv.raw:
            board = find_board(session, inv.raw)
            if board is None:
                raise UsageError(
                    f"No board is called “{echo(inv.raw)}”.",
                    suggestions=[f"digest {b.key}" for b in all_boards(session)],
                )
        else:
            plan = current_plan(session, ctx.config.current_plan)
            board = next(
                (b for b in all_boards(session) if any(p.id == plan.id for p in b.plans)), None
            )
            if board is None:
                raise UsageError(
                    "No board oversees the current plan; name one: `/ofsted digest aeb`."
                )
            board = find_board(session, board.key)
        assert board is not None
        ensure_meetings(session, [board], ctx.today)
        meeting = next_meeting(session, board, ctx.today)
        if meeting is None:
            raise UsageError(f"The {board.name} has no meeting ahead.")
        digest = digest_for(session, board, meeting, ctx.now, ctx.tz)
        secretary = board.secretary_post.holder if board.secretary_post else None
        deciders = {*ctx.config.admins, *([secretary.slack_user_id] if secretary else [])}
        decider = ctx.user_id if ctx.user_id in deciders else None
    if not digest.actions:
        text = f"The {board.name} gets no digest: its plans have no actions yet."
        return Reply([mrkdwn(text)], text)
    text, blocks = digest_summary(digest, ctx.tz)
    details, detail_blocks = digest_details(digest, ctx.tz, ctx.today, decider=decider)
    files = context(
        "In Slack the chart (PNG) and the board paper (XLSX) follow in the thread; "
        f"`ofsted-bot digest {board.key} --out DIR` writes them."
    )
    return Reply(
        blocks,
        f"Preview: {text}",
        followups=[Reply([*detail_blocks[: MAX_BLOCKS - 1], files], details)],
    )
