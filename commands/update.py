"""`/ofsted update REF [STATUS] TEXT`: log progress on an action."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime

from sqlalchemy.orm import Session

from commands.context import Context, Invocation
from commands.ids import ModalMeta
from commands.registry import UsageError, command
from commands.slack_text import typed
from commands.views.kit import Reply
from commands.views.logged import confirmation_view
from commands.views.update_form import UpdateForm
from commands.which import named_action
from db.models import Update, UpdateSource
from db.status_words import parse_update
from db.updates import AlreadyLoggedError, UpdateRefusedError, UpdateRequest, record_update
from db.versions import revise_update


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
            action = named_action(session, ctx, parsed.ref, "update")
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


def save_form(
    session: Session,
    form: UpdateForm,
    meta: ModalMeta,
    user: str,
    key: str,
    *,
    today: date,
    admins: Collection[str],
    clock: Callable[[], datetime],
) -> Update:
    """Store a submitted update form: a new update, or an edit of one (`meta.mode`)."""
    if meta.mode == "edit" and meta.update_id:
        return revise_update(
            session,
            meta.update_id,
            user,
            text=form.text,
            status=form.status,
            rag=form.rag,
            today=today,
            evidence=form.evidence,
            admins=admins,
            clock=clock,
            idempotency_key=key,
        )
    shortcut = meta.mode == "shortcut"
    request = UpdateRequest(
        action_id=form.action_id or meta.action_id or 0,
        author=user,
        text=form.text,
        source=UpdateSource.SHORTCUT if shortcut else UpdateSource.MODAL,
        status=form.status,
        rag=form.rag,
        evidence=form.evidence,
        due=form.due,
        due_reason=form.due_reason,
        escalation=form.escalation,
        channel=meta.channel,
        ts=meta.ts,
        permalink=meta.permalink,
        idempotency_key=key,
    )
    return record_update(session, request, today=today, admins=admins, clock=clock)
