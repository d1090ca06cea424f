"""Messages that reach the bot through the Events API and may be updates.

A reply in the thread of a bot message about one action updates that action; in a thread about
several, it names the action first ("4.2: …") or is kept, with its status word, until its
author picks one. In a channel thread (under a shared answer or a digest) only a reply that
starts with a reference or a status word, or mentions the bot, is taken: other talk there is
people talking, left alone; in a DM or under a nudge every reply is an update.
A mention ("@ofsted 4.2 green: …") or a DM names the action. Each Slack
event is handled once (its `event_id` is recorded in the same transaction as what it did) and
each Slack message yields at most one update (the unique (channel, ts) of updates), however
many ways it arrives, one after another or at once (the second finds the first's update once
it holds the action's lock, or meets the unique key and is a duplicate).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from db.models import Action, BotMessage, PendingReply, ProcessedEvent, Update, UpdateSource, utcnow
from db.plans import current_plan
from db.posts import get_or_create_person
from db.session import insert_new
from db.status import ActionStatus, Rag
from db.updates import (
    AlreadyLoggedError,
    Clock,
    UpdateRefusedError,
    UpdateRequest,
    clean_text,
    find_update,
    may_update,
    record_update,
)
from db.versions import retract_update, revise_update

SOURCES = {
    "reply": UpdateSource.THREAD_REPLY,
    "mention": UpdateSource.MENTION,
    "dm": UpdateSource.DIRECT_MESSAGE,
}


@dataclass(frozen=True)
class Incoming:
    """A user's message as Slack sent it, with what was read from its text."""

    event_id: str | None
    channel: str
    ts: str
    thread_ts: str | None
    user: str
    kind: Literal["reply", "mention", "dm"]
    ref: str | None
    text: str
    status: ActionStatus | None = None
    rag: Rag | None = None
    addressed: bool = True  # starts with a reference or a status word, or mentions the bot
    in_channel: bool = False  # said in a channel (not a DM with the bot)
    evidence: str | None = None  # the permalinks of the files it shares


@dataclass
class Outcome:
    """What became of a message: logged, refused, waiting for a choice, or nothing to do."""

    kind: Literal["logged", "refused", "choose", "duplicate", "ignored"]
    update: Update | None = None
    message: str = ""
    pending: PendingReply | None = None
    choices: list[Action] = field(default_factory=list)


def claim_event(session: Session, event_id: str | None) -> bool:
    """Record an event id; False if it was handled before (a Slack retry, or the same delivery
    arriving twice at once: the second insert waits for the first to commit, then does nothing)."""
    if not event_id:
        return True
    row = {"event_id": event_id, "received_at": utcnow()}
    return bool(insert_new(session, ProcessedEvent, [row], unique=["event_id"]))


def remember_bot_message(
    session: Session, channel: str, ts: str, purpose: str, action_ids: list[int]
) -> None:
    """A bot message about actions: replies in its thread become their updates."""
    if (
        action_ids
        and session.scalar(
            select(BotMessage.id).where(BotMessage.channel == channel, BotMessage.ts == ts)
        )
        is None
    ):
        session.add(BotMessage(channel=channel, ts=ts, purpose=purpose, action_ids=action_ids))


def thread_message(session: Session, channel: str, thread_ts: str | None) -> BotMessage | None:
    """The bot's message a thread is under, if it is one about actions."""
    if not thread_ts:
        return None
    return session.scalar(
        select(BotMessage).where(BotMessage.channel == channel, BotMessage.ts == thread_ts)
    )


def thread_actions(session: Session, message: BotMessage | None) -> list[Action]:
    if message is None:
        return []
    by_id = {
        a.id: a
        for a in session.scalars(
            select(Action)
            .options(joinedload(Action.owner_post))
            .where(Action.id.in_(message.action_ids))
        )
    }
    return [by_id[i] for i in message.action_ids if i in by_id]


def action_by_ref(session: Session, ref: str, configured_plan: str | None) -> list[Action]:
    """Actions with this ref: the current plan's, else every plan's."""
    plan = current_plan(session, configured_plan)
    query = select(Action).where(func.lower(Action.ref) == ref.lower())
    found = list(session.scalars(query.where(Action.plan_id == plan.id)))
    return found or list(session.scalars(query))


def _named(
    session: Session, ref: str, candidates: list[Action], configured_plan: str | None
) -> list[Action] | Outcome:
    """The actions a reply names by reference: among the thread's, if it is about actions."""
    named = [a for a in candidates if a.ref.lower() == ref.lower()]
    if candidates and not named:
        refs = ", ".join(a.ref for a in candidates)
        return Outcome(
            "refused",
            message=f"{ref} is not one of this thread's actions ({refs}). Nothing was logged.",
        )
    named = named or action_by_ref(session, ref, configured_plan)
    if not named:
        return Outcome("refused", message=f"There is no action {ref}. Nothing was logged.")
    return named


def _ask_which(session: Session, message: Incoming, candidates: list[Action]) -> Outcome:
    """Keep the reply and ask which of several actions it is about."""
    pending = PendingReply(
        channel=message.channel,
        ts=message.ts,
        thread_ts=message.thread_ts,
        user_id=message.user,
        text=clean_text(message.text),
        status=message.status,
        rag=message.rag,
        action_ids=[a.id for a in candidates],
    )
    try:
        with session.begin_nested():  # the same message kept already (it came two ways)
            session.add(pending)
            session.flush()
    except IntegrityError:
        return Outcome("duplicate")
    return Outcome("choose", pending=pending, choices=candidates)


def is_chatter(message: Incoming, thread: BotMessage | None) -> bool:
    """People talking in a channel thread under the bot's message, not to the bot."""
    return (
        message.kind == "reply"
        and message.in_channel
        and not message.addressed
        and (thread is None or thread.purpose != "nudge")
    )


def receive(
    session: Session,
    message: Incoming,
    *,
    today: date,
    admins: Collection[str],
    configured_plan: str | None,
    clock: Clock = utcnow,
) -> Outcome:
    thread = thread_message(session, message.channel, message.thread_ts)
    candidates = thread_actions(session, thread)
    if message.kind == "reply" and (not candidates or is_chatter(message, thread)):
        return Outcome("ignored")  # not about actions, or not said to the bot: nothing written
    if not claim_event(session, message.event_id):
        return Outcome("duplicate")
    if find_update(session, message.channel, message.ts) is not None:
        return Outcome("duplicate")  # the same message arriving another way (mention in a thread)
    if message.ref:
        named = _named(session, message.ref, candidates, configured_plan)
        if isinstance(named, Outcome):
            return named
        candidates = named
    if not candidates:
        if message.kind in ("mention", "dm"):
            example = "4.2 green: panel now meets weekly"
            return Outcome(
                "refused",
                message="Which action? Start with its reference, e.g. "
                f"`{'@ofsted ' if message.kind == 'mention' else ''}{example}`.",
            )
        return Outcome("ignored")
    if len(candidates) > 1:
        author = get_or_create_person(session, message.user)
        allowed = [a for a in candidates if may_update(session, author, a, today, admins)]
        if not allowed:  # say who can now, rather than ask which action first
            return _log(session, candidates[0], message, today=today, admins=admins, clock=clock)
        candidates = allowed
    if len(candidates) > 1:
        return _ask_which(session, message, candidates)
    return _log(session, candidates[0], message, today=today, admins=admins, clock=clock)


def _log(
    session: Session,
    action: Action,
    message: Incoming,
    *,
    today: date,
    admins: Collection[str],
    clock: Clock = utcnow,
) -> Outcome:
    request = UpdateRequest(
        action_id=action.id,
        author=message.user,
        text=message.text,
        source=SOURCES[message.kind],
        status=message.status,
        rag=message.rag,
        channel=message.channel,
        ts=message.ts,
        event_id=message.event_id,
        evidence=message.evidence,
    )
    try:
        with session.begin_nested():
            update = record_update(session, request, today=today, admins=admins, clock=clock)
    except AlreadyLoggedError:
        return Outcome("duplicate")  # the same message, logged the other way it arrived
    except UpdateRefusedError as refused:
        return Outcome("refused", message=str(refused))
    except IntegrityError:  # ... at the same moment, for another action
        if find_update(session, message.channel, message.ts) is None:
            raise
        return Outcome("duplicate")
    return Outcome("logged", update=update)


def choose(
    session: Session,
    pending_id: int,
    action_id: int,
    chooser: str,
    *,
    today: date,
    admins: Collection[str],
    clock: Clock = utcnow,
) -> Outcome:
    """The author of a kept reply picked its action: logged with the reply's status word."""
    pending = session.get(PendingReply, pending_id, with_for_update=True)
    if pending is None or action_id not in pending.action_ids:
        return Outcome("refused", message="That choice is out of date.")
    if pending.user_id != chooser:
        return Outcome(
            "refused", message="Only whoever wrote the reply can say which action it is about."
        )
    if pending.update_id is not None:
        return Outcome("duplicate")
    action = session.get(Action, action_id)
    assert action is not None
    outcome = _log(
        session,
        action,
        Incoming(
            None,
            pending.channel,
            pending.ts,
            pending.thread_ts,
            pending.user_id,
            "reply",
            action.ref,
            pending.text,
            pending.status,
            pending.rag,
        ),
        today=today,
        admins=admins,
        clock=clock,
    )
    if outcome.update is not None:
        pending.update_id = outcome.update.id
    return outcome


def unchanged(previous: Update, text: str, status: ActionStatus | None, rag: Rag | None) -> bool:
    """An edit that changes nothing the update says: the same text and no other status word
    (Slack also sends message_changed when a link unfurls or a reply is added)."""
    if previous.text != text:
        return False
    return status is None or (status, rag) == (previous.status_to, previous.rag_to)


@dataclass(frozen=True)
class Edit:
    """A message that was an update, as it reads after an edit in Slack."""

    event_id: str | None
    channel: str
    ts: str
    user: str
    text: str
    status: ActionStatus | None
    rag: Rag | None


def edited(
    session: Session,
    edit: Edit,
    *,
    today: date,
    admins: Collection[str],
    clock: Clock = utcnow,
) -> Outcome:
    """A message that was an update was edited in Slack: a new version of the update, refused
    where a new update would be."""
    if not claim_event(session, edit.event_id):
        return Outcome("duplicate")
    previous = find_update(session, edit.channel, edit.ts)
    if previous is None or previous.retracted:
        return Outcome("ignored")
    if unchanged(previous, clean_text(edit.text), edit.status, edit.rag):
        return Outcome("ignored")
    try:
        with session.begin_nested():
            update = revise_update(
                session,
                previous.id,
                edit.user,
                text=edit.text,
                status=edit.status,
                rag=edit.rag,
                today=today,
                event_id=edit.event_id,
                admins=admins,
                clock=clock,
            )
    except UpdateRefusedError as refused:
        return Outcome("refused", message=str(refused))
    return Outcome("logged", update=update)


def deleted(
    session: Session, *, event_id: str | None, channel: str, ts: str, clock: Clock = utcnow
) -> Outcome:
    """A message that was an update was deleted in Slack (or, having replies, replaced by a
    tombstone): the update is withdrawn."""
    if not claim_event(session, event_id):
        return Outcome("duplicate")
    previous = find_update(session, channel, ts)
    if previous is None or previous.retracted or previous.author is None:
        return Outcome("ignored")
    try:
        update = retract_update(
            session, previous.id, previous.author.slack_user_id, clock=clock, event_id=event_id
        )
    except UpdateRefusedError:  # withdrawn meanwhile (an Undo at the same moment)
        return Outcome("ignored")
    return Outcome("logged", update=update)
