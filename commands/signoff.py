"""`/ofsted signoff [PLAN] REF`: a board member signs off a complete action."""

from __future__ import annotations

from commands.context import Context, Invocation
from commands.registry import UsageError, command
from commands.views.kit import Reply
from commands.views.logged import confirmation_view
from commands.which import named_action
from db.models import UpdateSource
from db.signoff import sign_off
from db.updates import UpdateRefusedError


@command(
    "signoff",
    usage="signoff REF [REASON]",
    summary="sign off a completed action with logged evidence (the board's secretary or an "
    "admin; never its own owner or cover)",
    details="An admin who owns or covers the action can still sign it off, giving the reason, "
    "which is recorded.",
    examples=("signoff 4.2", "signoff 4.2 agreed at the board on 12 Oct"),
    aliases=("sign-off",),
)
def signoff(ctx: Context, inv: Invocation) -> Reply:
    if not inv.args:
        raise UsageError("Which action? e.g. `/ofsted signoff 4.2`.")
    reason = inv.raw.strip()[len(inv.args[0]) :].strip()
    try:
        with ctx.db.writes.begin() as session:
            action = named_action(session, ctx, inv.args[0], "signoff")
            logged = sign_off(
                session,
                action.id,
                ctx.user_id,
                source=UpdateSource.SLASH,
                admins=ctx.config.admins,
                today=ctx.today,
                reason=reason,
                clock=ctx.clock,
            )
    except UpdateRefusedError as refused:
        raise UsageError(str(refused)) from None
    return confirmation_view(logged, logged.action, undone=True)
