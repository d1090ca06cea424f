"""`ofsted-bot owners …`: who holds each post, and who covers it while they are away.

The same rules as the `/ofsted owners` form (db/posts.py): an unknown post gets the nearest
keys, overlapping covers are refused naming the clash, ending a cover early, every change in
the audit trail (by the command line and the login that ran it). A person is a Slack member id
(`U0123ABCD`) or `@name`, looked up in Slack (`users.list`, every page) when SLACK_BOT_TOKEN
is set.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import date, datetime, timedelta

from bot.app import make_client
from bot.settings import Settings
from db.database import Database
from db.posts import (
    Actor,
    CoverRefusedError,
    PostNotFoundError,
    add_cover,
    covers_from,
    end_cover,
    posts_with_holders,
    remove_holder,
    set_holder,
)
from jobs.people import Directory

SLACK_MEMBER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")  # as Slack spells them (person: 32 max)
LIST_HINT = "`ofsted-bot owners list` shows the posts"


class PersonError(Exception):
    """Who was meant cannot be told: the message says why and what to give instead."""


def _actor() -> Actor:
    try:
        login = getpass.getuser()
    except (OSError, KeyError):
        login = "unknown"
    return Actor(by=f"command line ({login})")


def resolve(settings: Settings, who: str) -> tuple[str, str | None]:
    """A member id and, when looked up in Slack, their name."""
    if SLACK_MEMBER_ID.fullmatch(who):
        return who, None
    if not who.startswith("@"):
        raise PersonError(
            f"{who!r} is not a Slack member id: give one like U0123ABCD (in Slack, "
            "the person's profile → ⋯ → Copy member ID), or @name"
        )
    if settings.slack_bot_token is None:
        raise PersonError(f"to look up {who} the bot needs SLACK_BOT_TOKEN; or give a member id")
    found = Directory(make_client(settings)).find(who)
    if len(found) != 1:
        choices = ", ".join(f"{m.name} ({m.user_id})" for m in found[:8])
        raise PersonError(
            f"{who} matches {len(found)} people in Slack"
            + (f": {choices}; give the member id" if found else "; check the name")
        )
    return found[0].user_id, found[0].name


def _refused(exc: Exception) -> int:
    if isinstance(exc, PostNotFoundError):
        print(f"ofsted-bot: {exc} ({LIST_HINT})", file=sys.stderr)
        return 1
    print(f"ofsted-bot: {exc}", file=sys.stderr)
    return 2 if isinstance(exc, PersonError) else 1


def cmd_owners_set(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    try:
        user_id, name = resolve(settings, args.user_id)
        with database.writes.begin() as session:
            title = set_holder(session, args.post, user_id, _actor(), name=name).title
    except (PersonError, PostNotFoundError) as exc:
        return _refused(exc)
    print(f"{title} is now held by {name + ' (' + user_id + ')' if name else user_id}")
    return 0


def cmd_owners_unset(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    try:
        with database.writes.begin() as session:
            post, before = remove_holder(session, args.post, _actor())
            title = post.title
    except PostNotFoundError as exc:
        return _refused(exc)
    print(f"Nobody holds {title} now" + (f" (it was {before})" if before else ""))
    return 0


def cmd_owners_list(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    with database.sessions() as session:
        posts = posts_with_holders(session)
    width = max((len(p.key) for p in posts), default=0)
    for post in posts:
        holder = post.holder.slack_user_id if post.holder else "(nobody: `owners set`)"
        if post.holder and post.holder.name:
            holder = f"{post.holder.name} ({holder})"
        flag = " (illustrative)" if post.illustrative else ""
        print(f"{post.key:<{width}}  {holder:<22}  {post.title}{flag}")
    with database.sessions() as session:
        covers = covers_from(session, datetime.now(settings.tz).date())
    for cover in covers:
        print(
            f"cover: {cover.post.key} by {cover.person.slack_user_id} "
            f"from {cover.starts_on} to {cover.ends_on}"
        )
    return 0


def cmd_owners_cover(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    try:
        starts, ends = date.fromisoformat(args.starts), date.fromisoformat(args.ends)
    except ValueError as exc:
        print(f"ofsted-bot: {exc} (dates as 2022-09-01)", file=sys.stderr)
        return 1
    try:
        user_id, name = resolve(settings, args.user_id)
        with database.writes.begin() as session:
            add_cover(session, args.post, user_id, starts, ends, _actor(), name=name)
    except (PersonError, PostNotFoundError, CoverRefusedError) as exc:
        return _refused(exc)
    print(
        f"{name or user_id} covers {args.post} from {starts:%-d %b %Y} to {ends:%-d %b %Y}: "
        "they are nudged and may update its actions then"
    )
    return 0


def cmd_owners_end_cover(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    today = datetime.now(settings.tz).date()
    try:
        last = date.fromisoformat(args.last_day) if args.last_day else today - timedelta(days=1)
    except ValueError as exc:
        print(f"ofsted-bot: {exc} (dates as 2022-09-01)", file=sys.stderr)
        return 1
    try:
        with database.writes.begin() as session:
            cover = end_cover(session, args.post, last, _actor())
            who, starts = cover.person.slack_user_id, cover.starts_on
    except (PostNotFoundError, LookupError) as exc:
        return _refused(exc)
    done = "cancelled" if starts > last else f"ends on {last:%-d %b %Y}"
    print(f"The cover of {args.post} by {who} {done}")
    return 0


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    owners = verbs.add_parser("owners", help="who holds each post")
    owner_verbs = owners.add_subparsers(dest="owners_command", required=True)
    owner_set = owner_verbs.add_parser("set", help="make a Slack user the holder of a post")
    owner_set.add_argument("post", help="post key (see `owners list`) or exact title")
    owner_set.add_argument("user_id", help="Slack member id (U0123ABCD) or @name")
    owner_set.set_defaults(db_handler=cmd_owners_set)
    unset = owner_verbs.add_parser("unset", help="nobody holds the post any more")
    unset.add_argument("post")
    unset.set_defaults(db_handler=cmd_owners_unset)
    cover = owner_verbs.add_parser("cover", help="someone covers a post between two dates")
    cover.add_argument("post")
    cover.add_argument("user_id", help="Slack member id or @name")
    cover.add_argument("starts", help="first day, e.g. 2022-09-01")
    cover.add_argument("ends", help="last day (inclusive)")
    cover.set_defaults(db_handler=cmd_owners_cover)
    end = owner_verbs.add_parser("end-cover", help="end a post's cover early")
    end.add_argument("post")
    end.add_argument("--last-day", help="its last day (default: yesterday, the holder is back)")
    end.set_defaults(db_handler=cmd_owners_end_cover)
    owner_verbs.add_parser("list", help="posts, their holders and covers").set_defaults(
        db_handler=cmd_owners_list
    )
