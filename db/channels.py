"""Channels named in plans (a board's `#channel`), as Slack knows them: the id the name resolved
to (kept, so a rename in Slack keeps working), whether the channel is private, and whether the
bot is in it, as Slack last said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import SlackChannel
from db.session import insert_new


def channel_name(ref: str) -> str:
    """A plan's `#Achieving-Excellence` as Slack names it: `achieving-excellence`."""
    return ref.strip().lstrip("#").lower()


@dataclass(frozen=True)
class ChannelState:
    """What is known of a channel: its id, whether private, the bot in it (None: not asked)."""

    name: str
    channel_id: str | None = None
    is_private: bool | None = None
    bot_member: bool | None = None
    problem: str | None = None
    checked_at: datetime | None = None


def channel_state(session: Session, ref: str) -> ChannelState:
    name = channel_name(ref)
    row = session.scalar(select(SlackChannel).where(SlackChannel.name == name))
    if row is None:
        return ChannelState(name)
    return ChannelState(
        name, row.channel_id, row.is_private, row.bot_member, row.problem, row.checked_at
    )


def store_channel(session: Session, state: ChannelState) -> None:
    """Record what Slack said of a channel (a name that resolved to nothing: `problem`)."""
    insert_new(session, SlackChannel, [{"name": state.name}], unique=["name"])
    row = session.scalar(select(SlackChannel).where(SlackChannel.name == state.name))
    assert row is not None
    row.channel_id = None if state.problem else (state.channel_id or row.channel_id)
    row.is_private = state.is_private if state.is_private is not None else row.is_private
    row.bot_member = state.bot_member
    row.problem = state.problem
    row.checked_at = state.checked_at
