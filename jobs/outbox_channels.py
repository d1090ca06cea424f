"""Where a delivery goes in Slack: a user's DM, or a board's channel by its id.

Slack wants a channel's id (`conversations.history`, `files.completeUploadExternal`, …); a plan
names its board's channel (`#achieving-excellence`). The name is resolved once, from every page
of `conversations.list`, and the id kept (`db.channels`): a rename in Slack keeps working. A
name that resolves to nothing is `channel_not_found` (the delivery fails and the admins are
told: the channel is gone, or private without the bot). Before a delivery to a channel the bot
joins it if it is public: with `chat:write.public` alone Slack would take the message but
refuse its files (`not_in_channel`) and send no events of the replies in its thread.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.errors import SlackApiError

from db.channels import ChannelState, channel_name, channel_state, store_channel
from db.database import Database
from jobs.outbox_slack import SlackParts, error_of


class NoChannelError(Exception):
    """Slack has no channel of that name, or the bot cannot reach it: Slack's error."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def is_channel(recipient: str) -> bool:
    return not recipient.startswith(("U", "W", "D"))


def channel_for(database: Database, slack: SlackParts, recipient: str, now: datetime) -> str:
    """The id a channel recipient (`#name` or an id) is posted to, with the bot in it if the
    channel is public. Raises NoChannelError, or RateLimitedError (try later)."""
    if recipient.startswith("#") or not recipient[:1].isupper():
        with database.sessions() as session:
            known = channel_state(session, recipient)
        if known.channel_id is None:
            found = slack.resolve(channel_name(recipient))
            if found is None:
                _store(database, ChannelState(known.name, problem="channel_not_found"), now)
                raise NoChannelError("channel_not_found")
            known = ChannelState(
                known.name, str(found["id"]), bool(found.get("is_private")), found.get("is_member")
            )
            _store(database, known, now)
        channel_id, name = str(known.channel_id), known.name
    else:
        channel_id, name = recipient, recipient
    try:
        joined = slack.join(channel_id)
    except SlackApiError as exc:
        _store(database, ChannelState(name, channel_id, problem=error_of(exc)), now)
        raise NoChannelError(error_of(exc)) from exc
    private = joined is None
    member = None if private else True  # a private channel: Slack says when the post is refused
    _store(database, ChannelState(name, channel_id, private, member), now)
    return channel_id


def refused_in(database: Database, recipient: str, error: str, now: datetime) -> None:
    """Slack refused a part in a channel as one the bot is not in: say so for /ofsted board."""
    if not is_channel(recipient) or error not in ("not_in_channel", "channel_not_found"):
        return
    with database.sessions() as session:
        known = channel_state(session, recipient)
    _store(
        database,
        ChannelState(known.name, known.channel_id, known.is_private, False, error),
        now,
    )


def _store(database: Database, state: ChannelState, now: datetime) -> None:
    with database.writes.begin() as session:
        store_channel(session, ChannelState(**{**state.__dict__, "checked_at": now}))
