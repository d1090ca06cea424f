"""`/ofsted update REF [STATUS] TEXT` and `/ofsted signoff REF`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commands.action import find_card
from commands.context import Context, Invocation
from commands.registry import UsageError, command
from commands.slack_text import typed
from commands.views.common import Reply
from commands.views.updates import confirmation_view
from db.lookups import ActionRow
from db.models import UpdateSource
from db.signoff import sign_off
from db.status_words import parse_update
from db.updates import AlreadyLoggedError, UpdateRefusedError, UpdateRequest, record_update


def _action(session: Session, ctx: Context, ref: str, verb: str) -> ActionRow:
    """The action a ref names, found as `/ofsted action` finds it (same answers if not)."""
    return find_card(session, ctx, Invocation(verb, (ref,), ref), verb).action


@command(
    "update",
    usage="update REF [STATUS] TEXT",
    summary="log progress on an action you own, e.g. `update 4.2 amber waiting for HR`",
    details="STATUS is green/amber/red, on track/at risk/off track, blocked or done (done "
    "needs evidence: a link or a sentence). Without one the status stays as it "
    "was. You can also reply in the thread of the bot's message about an action, "
    "or press *Update*.",
    examples=(
        "update 4.2 amber recruitment delayed to March",
        "update 1.1 done: audit published, see https://…",
    ),
    aliases=("u", "log"),
)
def update(ctx: Context, inv: Invocation) -> Reply:
    parsed = parse_update(typed(inv.raw))  # as typed, not as Slack sends it
    if parsed.ref is None:
        raise UsageError(
            "Which action? Start with its reference: `/ofsted update 4.2 amber waiting for HR`.",
            suggestions=["mine"],
        )
    try:
        with ctx.db.writes.begin() as session:
            action = _action(session, ctx, parsed.ref, "update")
            try:
                logged = record_update(
                    session,
                    UpdateRequest(
                        action_id=action.id,
                        author=ctx.user_id,
                        text=parsed.text,
                        source=UpdateSource.SLASH,
                        status=parsed.status,
                        rag=parsed.rag,
                        idempotency_key=ctx.request_key,
                    ),
                    today=ctx.today,
                    admins=ctx.config.admins,
                    clock=ctx.clock,
                )
            except AlreadyLoggedError as again:  # the same command sent twice: the same answer
                logged = again.update
            return confirmation_view(logged, logged.action)
    except UpdateRefusedError as refused:
        raise UsageError(str(refused)) from None


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
            action = _action(session, ctx, inv.args[0], "signoff")
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
