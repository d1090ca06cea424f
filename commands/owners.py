"""`/ofsted owners [POST]`: the posts and who holds or covers them; admins change them in a form
(opened by the command itself, by *Manage posts*, and from App Home), with the rules of
db/posts.py and every change in the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from slack_sdk.models.views import View

from commands.context import Context, Invocation
from commands.registry import UsageError, command
from commands.views.help import echo
from commands.views.kit import Reply, notice_modal
from commands.views.owners import OwnersForm, owners_modal, posts_view
from db.database import Database
from db.posts import (
    Actor,
    CoverRefusedError,
    PostNotFoundError,
    add_cover,
    covers_from,
    covers_of,
    end_cover,
    find_post,
    posts_with_holders,
    remove_holder,
    set_holder,
)


def sentence(exc: Exception) -> str:
    """An error's message as a sentence: a capital first letter (the rest as it is)."""
    text = str(exc)
    return text[:1].upper() + text[1:]


class OwnersFormError(Exception):
    """What to show in the form, by block id; nothing was changed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _unknown(exc: PostNotFoundError) -> UsageError:
    return UsageError(
        f"No post is called “{echo(exc.key)}”.",
        suggestions=[f"owners {key}" for key in exc.nearest] or ["owners"],
    )


@command(
    "owners",
    usage="owners [POST]",
    summary="the posts and who holds or covers them; admins change them in a form",
    details=(
        "Admins get a form with a people picker for the holder and dates for cover; they can "
        "end a cover early or remove a holder. On the command line: `ofsted-bot owners`."
    ),
    examples=("owners", "owners dir-corporate-parenting"),
    aliases=("posts",),
)
def owners(ctx: Context, inv: Invocation) -> Reply:
    with ctx.db.sessions() as session:
        posts = posts_with_holders(session)
        covers = covers_from(session, ctx.today)
        if inv.raw:
            try:
                chosen = find_post(session, inv.raw)
            except PostNotFoundError as exc:
                raise _unknown(exc) from None
            posts = [p for p in posts if p.id == chosen.id]
    return posts_view(posts, covers, admin=ctx.user_id in ctx.config.admins)


def owners_form(database: Database, post_key: str | None, today: date) -> View:
    """The form, on one post or on all; an unknown post says so, with the nearest keys."""
    with database.sessions() as session:
        posts = posts_with_holders(session)
        try:
            chosen = find_post(session, post_key) if post_key else None
        except PostNotFoundError as exc:
            said = sentence(exc)  # "… did you mean X?" ends as it is
            return notice_modal("Manage posts", said if said.endswith("?") else said + ".")
        chosen = next((p for p in posts if chosen and p.id == chosen.id), None)
        covers = covers_of(session, chosen, since=today) if chosen else []
        return owners_modal(posts, chosen, covers)


def current_holder(database: Database, post_key: str) -> str | None:
    with database.sessions() as session:
        try:
            post = find_post(session, post_key)
        except PostNotFoundError:
            return None
        return post.holder.slack_user_id if post.holder else None


def save_owners(
    database: Database,
    form: OwnersForm,
    admin: str,
    today: date,
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """Apply the form in one transaction; what changed, to say. People's `names` (users.info)
    are kept, so that a clash of covers names the person. OwnersFormError (nothing changed)
    names the field and the problem: an unknown post, a clash of covers, no cover to end."""
    names = names or {}
    actor, said = Actor(user_id=admin), []
    try:
        with database.writes.begin() as session:
            key = find_post(session, form.post).key
            if form.remove:
                post, before = remove_holder(session, key, actor)
                said.append(
                    f"Nobody holds {post.title} now" + (f" (was <@{before}>)" if before else "")
                )
            if form.holder:
                post = set_holder(session, key, form.holder, actor, name=names.get(form.holder))
                said.append(f"{post.title} is now held by <@{form.holder}>.")
            if form.end_cover:
                cover = end_cover(session, key, today - timedelta(days=1), actor)
                done = "has ended" if cover.starts_on < today else "is cancelled: it had not begun"
                said.append(f"The cover by <@{cover.person.slack_user_id}> {done}.")
            if form.cover_by and form.cover_from and form.cover_to:
                add_cover(
                    session,
                    key,
                    form.cover_by,
                    form.cover_from,
                    form.cover_to,
                    actor,
                    name=names.get(form.cover_by),
                )
                said.append(
                    f"<@{form.cover_by}> covers {key} from {form.cover_from:%-d %b %Y} to "
                    f"{form.cover_to:%-d %b %Y}."
                )
    except PostNotFoundError as exc:
        raise OwnersFormError({"post": sentence(exc)}) from None
    except CoverRefusedError as exc:
        raise OwnersFormError({"cover_from": sentence(exc)[:150]}) from None
    except LookupError as exc:
        raise OwnersFormError({"end_cover": sentence(exc)[:150]}) from None
    return said
