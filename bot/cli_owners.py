"""`ofsted-bot owners …`: who holds each post, and who covers it while they are away."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, datetime

from bot.settings import Settings
from db.database import Database
from db.queries import add_cover, covers_from, posts_with_holders, set_post_holder

SLACK_MEMBER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")  # as Slack spells them (person: 32 max)


def _member_id_problem(user_id: str) -> str | None:
    if SLACK_MEMBER_ID.fullmatch(user_id):
        return None
    return (
        f"ofsted-bot: {user_id!r} is not a Slack member id: give one like U0123ABCD (in Slack, "
        "the person's profile → ⋯ → Copy member ID)"
    )


def cmd_owners_set(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    problem = _member_id_problem(args.user_id)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        with database.writes.begin() as session:
            post = set_post_holder(session, args.post, args.user_id)
            title = post.title
    except LookupError:
        print(f"no post {args.post!r}: `ofsted-bot owners list` shows the posts", file=sys.stderr)
        return 1
    print(f"{title} is now held by {args.user_id}")
    return 0


def cmd_owners_list(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    with database.sessions() as session:
        posts = posts_with_holders(session)
    width = max((len(p.key) for p in posts), default=0)
    for post in posts:
        holder = post.holder.slack_user_id if post.holder else "(nobody: `owners set`)"
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
    problem = _member_id_problem(args.user_id)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        starts, ends = date.fromisoformat(args.starts), date.fromisoformat(args.ends)
        with database.writes.begin() as session:
            add_cover(session, args.post, args.user_id, starts, ends)
    except LookupError:
        print(f"no post {args.post!r}: `ofsted-bot owners list` shows the posts", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"ofsted-bot: {exc} (dates as 2022-09-01)", file=sys.stderr)
        return 1
    print(
        f"{args.user_id} covers {args.post} from {starts:%-d %b %Y} to {ends:%-d %b %Y}: "
        "they are nudged and may update its actions then"
    )
    return 0


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    owners = verbs.add_parser("owners", help="who holds each post")
    owner_verbs = owners.add_subparsers(dest="owners_command", required=True)
    owner_set = owner_verbs.add_parser("set", help="make a Slack user the holder of a post")
    owner_set.add_argument("post", help="post key (see `owners list`) or exact title")
    owner_set.add_argument("user_id", help="Slack user id, e.g. U0123ABCD")
    owner_set.set_defaults(db_handler=cmd_owners_set)
    cover = owner_verbs.add_parser("cover", help="someone covers a post between two dates")
    cover.add_argument("post")
    cover.add_argument("user_id")
    cover.add_argument("starts", help="first day, e.g. 2022-09-01")
    cover.add_argument("ends", help="last day (inclusive)")
    cover.set_defaults(db_handler=cmd_owners_cover)
    owner_verbs.add_parser("list", help="posts, their holders and covers").set_defaults(
        db_handler=cmd_owners_list
    )
