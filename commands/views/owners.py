"""Posts and who holds them: the list (`/ofsted owners`, App Home) and the admins' form (a people
picker for the holder, date pickers for cover, ending a cover early, removing a holder)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands.ids import ActionId, CallbackId, PostRef
from commands.views.kit import (
    Kit,
    Reply,
    button,
    buttons,
    context,
    cut,
    day,
    escape,
    header,
    keep_within_limits,
    mrkdwn,
)
from db.models import Cover, Post

INPUT = ActionId.FORM_INPUT
POSTS_PER_SECTION = 10
POST_OPTIONS = 100  # a static select holds at most 100 options


def _holder(post: Post) -> str:
    return f"<@{post.holder.slack_user_id}>" if post.holder else "_nobody yet_"


def _cover(cover: Cover) -> str:
    return f"covered by <@{cover.person.slack_user_id}> {day(cover.starts_on)}–{day(cover.ends_on)}"


def post_line(post: Post, covers: list[Cover]) -> str:
    mine = [_cover(c) for c in covers if c.post_id == post.id]
    flag = " _(illustrative)_" if post.illustrative else ""
    more = f" · {'; '.join(mine)}" if mine else ""
    return f"*{escape(post.title)}* `{post.key}`{flag} · {_holder(post)}{more}"


def manage_button(post: str | None = None) -> dict[str, Any]:
    return button("Manage posts", ActionId.OWNERS, PostRef(post=post), style="primary")


def posts_blocks(posts: list[Post], covers: list[Cover], *, admin: bool) -> list[Kit]:
    """Each post with its holder and covers; for admins, the button that opens the form."""
    lines = [post_line(p, covers) for p in posts]
    blocks: list[Kit] = [
        mrkdwn("\n".join(lines[i : i + POSTS_PER_SECTION]))
        for i in range(0, len(lines), POSTS_PER_SECTION)
    ]
    if admin:
        row = buttons(manage_button())
        blocks.append(row) if row else None
    else:
        blocks.append(context("Admins change who holds a post: `/ofsted owners` opens the form."))
    return blocks


def posts_view(posts: list[Post], covers: list[Cover], *, admin: bool) -> Reply:
    blocks: list[Kit | None] = [
        header("Posts and who holds them"),
        *posts_blocks(posts, covers, admin=admin),
    ]
    return Reply(keep_within_limits(blocks), f"{len(posts)} posts and who holds them")


def _user(block_id: str, label: str, hint: str, initial: str | None = None) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        hint=hint,
        element=UserSelectElement(action_id=INPUT, initial_user=initial, placeholder="Choose"),
    )


def _check(block_id: str, label: str, text: str) -> InputBlock:
    option = Option(value="yes", text=text)
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=CheckboxesElement(action_id=INPUT, options=[option]),
    )


def _date(block_id: str, label: str) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=DatePickerElement(action_id=INPUT, placeholder="Choose a day"),
    )


def owners_modal(posts: list[Post], chosen: Post | None, covers: list[Cover]) -> View:
    """The form. Opened on one post, it shows that post (its key in private_metadata) with its
    holder picked; opened on none, a post is chosen first and the holder left empty."""
    blocks: list[Any] = []
    if chosen is None:
        options = [Option(value=p.key, text=cut(p.title, 75)) for p in posts[:POST_OPTIONS]]
        blocks.append(
            InputBlock(
                block_id="post",
                label="Post",
                element=StaticSelectElement(action_id=INPUT, options=options),
            )
        )
    else:
        blocks.append(mrkdwn(post_line(chosen, covers)))
    holder = chosen.holder.slack_user_id if chosen and chosen.holder else None
    blocks += [
        _user("holder", "Holder", "Who holds the post: nudged, and updates its actions.", holder),
        _check("remove", "Or", "Nobody holds this post (remove the holder)"),
        _user("cover_by", "Cover: who stands in", "While the holder is away, between two dates."),
        _date("cover_from", "Cover from (first day)"),
        _date("cover_to", "Cover to (last day)"),
        _check("end_cover", "End a cover early", "End the current cover: the holder is back today"),
    ]
    return View(
        type="modal",
        callback_id=CallbackId.OWNERS_FORM,
        title="Manage posts",
        submit="Save",
        close="Cancel",
        private_metadata=chosen.key if chosen else "",
        blocks=blocks,
    )


@dataclass(frozen=True)
class OwnersForm:
    post: str
    holder: str | None
    remove: bool
    cover_by: str | None
    cover_from: date | None
    cover_to: date | None
    end_cover: bool


def _picked(state: dict[str, Any], block: str) -> dict[str, Any]:
    return dict(state.get(block, {}).get(INPUT, {}))


def _cover_errors(form: OwnersForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    dated = form.cover_from is not None or form.cover_to is not None
    if form.cover_by and form.cover_from is None:
        errors["cover_from"] = "Choose the first day of the cover."
    if form.cover_by and form.cover_to is None:
        errors["cover_to"] = "Choose the last day of the cover."
    if dated and not form.cover_by:
        errors["cover_by"] = "Choose who covers the post."
    if form.cover_from and form.cover_to and form.cover_to < form.cover_from:
        errors["cover_to"] = "The cover ends before it starts."
    return errors


def read_owners_form(
    state: dict[str, Any], post_key: str, current_holder: str | None = None
) -> OwnersForm | dict[str, str]:
    """The submitted form, or errors by block id to show in it."""
    post = post_key or (_picked(state, "post").get("selected_option") or {}).get("value") or ""
    starts, ends = (_picked(state, b).get("selected_date") for b in ("cover_from", "cover_to"))
    holder = _picked(state, "holder").get("selected_user") or None
    form = OwnersForm(
        post,
        holder if holder != current_holder else None,
        bool(_picked(state, "remove").get("selected_options")),
        _picked(state, "cover_by").get("selected_user") or None,
        date.fromisoformat(starts) if starts else None,
        date.fromisoformat(ends) if ends else None,
        bool(_picked(state, "end_cover").get("selected_options")),
    )
    errors = _cover_errors(form)
    if not post:
        errors["post"] = "Choose a post."
    if form.remove and form.holder:
        errors["remove"] = "Either pick a holder or remove the holder, not both."
    if not (errors or form.holder or form.remove or form.cover_by or form.end_cover):
        errors["holder"] = "Nothing to change: pick a holder or a cover, or end or remove one."
    return errors or form
