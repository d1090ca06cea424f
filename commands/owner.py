"""`/ofsted owner @user|POST`: the actions a person or a post owns."""

from __future__ import annotations

import re

from commands.context import Context, Invocation
from commands.registry import UsageError, command
from commands.views.actions import action_list_view
from commands.views.help import echo
from commands.views.kit import Reply, escape
from db.actions import actions_of_person, actions_of_post
from db.posts import MAX_POST_WORDS, find_posts

MAX_POST_NAME = 200


MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$")


@command(
    "owner",
    usage="owner @person|POST",
    summary="the actions a person, or a post, owns",
    details="Mention a person (`@Sam`) or name a post (`owner corporate parenting`).",
    examples=("owner @Sam", "owner corporate parenting"),
    aliases=("who",),
)
def owner(ctx: Context, inv: Invocation) -> Reply:
    if not inv.raw:
        raise UsageError(
            "Whose actions? Mention a person or name a post, e.g. "
            "`/ofsted owner corporate parenting`.",
            suggestions=["mine"],
        )
    mention = MENTION.match(inv.raw.strip())
    if mention:
        user = mention[1]
        with ctx.db.sessions() as session:
            cards = actions_of_person(session, user, ctx.today, page=inv.page)
        # a header is plain text (no mentions): the name Slack shows, else the handle Slack
        # wrote into the command (`<@U…|diana>`), else the id
        name = ctx.name_of(user) or mention[2] or user
        return action_list_view(
            f"Actions owned by {name}",
            cards,
            ctx.viewing(inv, f"owner <@{user}>"),
            # shared, a mention would notify them
            empty=f"{escape(name) if inv.share else f'<@{user}>'} doesn't hold or cover a "
            "post that owns actions.",
        )
    if len(inv.raw) > MAX_POST_NAME or len(inv.raw.split()) > MAX_POST_WORDS:
        raise UsageError(
            f"Name a post in a few words (up to {MAX_POST_WORDS}), e.g. "
            "`/ofsted owner corporate parenting`, or mention one person.",
            suggestions=["owner corporate parenting"],
        )
    if inv.raw.startswith("@"):
        raise UsageError(
            "Pick the person from Slack's list as you type `@` so that the bot gets "
            "who they are, or name their post instead."
        )
    with ctx.db.sessions() as session:
        posts = find_posts(session, inv.raw)
        if len(posts) == 1:
            cards = actions_of_post(session, posts[0], ctx.today, page=inv.page)
    if not posts:
        raise UsageError(
            f"No post matches “{echo(inv.raw)}”.",
            hint="Try part of the title, e.g. `/ofsted owner corporate parenting`.",
        )
    if len(posts) > 1:
        raise UsageError(
            f"“{echo(inv.raw)}” matches {len(posts)} posts. Which one?",
            suggestions=[f"owner {p.key}" for p in posts],
        )
    return action_list_view(
        f"Actions owned by the {posts[0].title}",
        cards,
        ctx.viewing(inv, f"owner {posts[0].key}"),
        empty=f"No actions are owned by the {escape(posts[0].title)}.",
    )
