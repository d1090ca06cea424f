"""Who holds each post and who covers it: the rules every route follows (the `/ofsted owners`
form, App Home, `ofsted-bot owners …`), each change written to the audit trail with who made it.

- a post is named by its key (or its exact title); an unknown one is refused with the nearest
  keys;
- covers of one post never overlap: a new one that would is refused, naming the cover it clashes
  with;
- ending a cover early makes its last day the day given; a cover that had not started by then
  is cancelled (removed), both audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, raiseload, selectinload

from db.models import (
    Action,
    AuditEntry,
    Cover,
    Person,
    Post,
    utcnow,
)


class PostNotFoundError(LookupError):
    """No post has that key or title; `nearest` are the likeliest keys."""

    def __init__(self, key: str, nearest: list[str]) -> None:
        super().__init__(key)
        self.key, self.nearest = key, nearest

    def __str__(self) -> str:
        hint = f": did you mean {' or '.join(self.nearest)}?" if self.nearest else ""
        return f"no post {self.key!r}{hint}"


class CoverRefusedError(ValueError):
    """A cover that cannot be: dates the wrong way round, or a clash with another cover."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a Slack member, or someone at the command line (`by`)."""

    user_id: str | None = None
    by: str = ""


def _day(value: date) -> str:
    return value.strftime("%-d %b %Y")


def who(person: Person) -> str:
    """A person by name if the bot has learned it, else by member id."""
    return f"{person.name} ({person.slack_user_id})" if person.name else person.slack_user_id


def nearest_posts(session: Session, text: str, limit: int = 3) -> list[str]:
    posts = list(session.execute(select(Post.key, Post.title)))
    choices = {key: f"{key} {title}" for key, title in posts}
    found = process.extract(text.lower(), choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
    return [key for _text, _score, key in found]


def find_post(session: Session, key: str) -> Post:
    """The post by key or exact title (any case); PostNotFoundError with the nearest keys."""
    wanted = key.strip()
    post = session.scalar(select(Post).where(Post.key == wanted))
    if post is None:
        post = session.scalar(select(Post).where(func.lower(Post.title) == wanted.lower()))
    if post is None:
        raise PostNotFoundError(wanted, nearest_posts(session, wanted))
    return post


def _audit(session: Session, kind: str, actor: Actor, post: Post, **detail: object) -> None:
    who = get_or_create_person(session, actor.user_id) if actor.user_id else None
    facts = {"post": post.key, **{k: str(v) for k, v in detail.items() if v is not None}}
    if actor.by:
        facts["by"] = actor.by
    session.add(AuditEntry(at=utcnow(), kind=kind, actor_id=who.id if who else None, detail=facts))


def _person(session: Session, user_id: str, name: str | None) -> Person:
    person = get_or_create_person(session, user_id)
    if name:
        person.name = name[:200]
    return person


def set_holder(
    session: Session, key: str, user_id: str, actor: Actor, *, name: str | None = None
) -> Post:
    """Make a member the holder of a post (their name kept, if given)."""
    post = session.scalar(
        select(Post).where(Post.id == find_post(session, key).id).options(selectinload(Post.holder))
    )
    assert post is not None
    before = post.holder.slack_user_id if post.holder else None
    post.holder = _person(session, user_id, name)
    _audit(session, "post.holder_set", actor, post, before=before, after=user_id)
    return post


def remove_holder(session: Session, key: str, actor: Actor) -> tuple[Post, str | None]:
    """Nobody holds the post any more; who held it (None if nobody did)."""
    post = session.scalar(
        select(Post).where(Post.id == find_post(session, key).id).options(selectinload(Post.holder))
    )
    assert post is not None
    before = post.holder.slack_user_id if post.holder else None
    post.holder = None
    _audit(session, "post.holder_removed", actor, post, before=before)
    return post, before


def covers_of(session: Session, post: Post, since: date | None = None) -> list[Cover]:
    query = select(Cover).where(Cover.post_id == post.id).options(selectinload(Cover.person))
    if since is not None:
        query = query.where(Cover.ends_on >= since)
    return list(session.scalars(query.order_by(Cover.starts_on)))


def add_cover(
    session: Session,
    key: str,
    user_id: str,
    starts_on: date,
    ends_on: date,
    actor: Actor,
    *,
    name: str | None = None,
) -> Cover:
    """Someone covers a post from one day to another (inclusive). Refused (CoverRefusedError)
    when the dates are the wrong way round or it overlaps another cover of the post."""
    post = find_post(session, key)
    if ends_on < starts_on:
        raise CoverRefusedError(
            f"the cover ends before it starts ({_day(starts_on)} to {_day(ends_on)})"
        )
    for other in covers_of(session, post, since=starts_on):
        if other.starts_on <= ends_on:
            raise CoverRefusedError(
                f"that clashes with {who(other.person)} covering {post.key} from "
                f"{_day(other.starts_on)} to {_day(other.ends_on)}: end that cover first "
                "or choose other dates."
            )
    cover = Cover(
        post=post,
        person=_person(session, user_id, name),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(cover)
    _audit(session, "post.cover_added", actor, post, by_person=user_id, starts=starts_on,
           ends=ends_on)  # fmt: skip
    return cover


def end_cover(session: Session, key: str, last_day: date, actor: Actor) -> Cover:
    """End early the post's cover that runs past `last_day`: it ends on `last_day`, or is
    cancelled if it had not started by then. LookupError if no cover runs past that day."""
    post = find_post(session, key)
    running = [c for c in covers_of(session, post, since=last_day) if c.ends_on > last_day]
    if not running:
        raise LookupError(f"no cover of {post.key} runs past {_day(last_day)}")
    cover = running[0]
    detail = {"by_person": cover.person.slack_user_id, "starts": cover.starts_on,
              "was_to": cover.ends_on}  # fmt: skip
    if cover.starts_on > last_day:
        session.delete(cover)
        _audit(session, "post.cover_cancelled", actor, post, **detail)
    else:
        cover.ends_on = last_day
        _audit(session, "post.cover_ended", actor, post, ends=last_day, **detail)
    return cover


def covers_today(
    session: Session, plan_ids: list[int], today: date
) -> dict[int, tuple[str, str | None]]:
    """Who covers each post owning the plans' actions on `today` (post id -> Slack user id,
    name): the newest cover where two overlap."""
    return {
        post: (user, name)
        for post, user, name in session.connection()
        .execute(
            select(Cover.post_id, Person.slack_user_id, Person.name)
            .join(Person, Person.id == Cover.person_id)
            .where(
                Cover.post_id.in_(
                    select(Action.owner_post_id).where(Action.plan_id.in_(plan_ids)).distinct()
                ),
                Cover.on(today),
            )
            .order_by(Cover.id)
        )
        .all()
    }


MAX_POST_WORDS = 10  # a post's title is a few words; each word is a condition in the query


def find_posts(session: Session, words: str) -> list[Post]:
    """Posts whose key or title contains every word given (case-insensitive; the first
    MAX_POST_WORDS distinct words: each is a condition)."""
    query = select(Post).options(joinedload(Post.holder), raiseload("*")).order_by(Post.title)
    for word in list(dict.fromkeys(words.lower().split()))[:MAX_POST_WORDS]:
        query = query.where(
            or_(func.lower(Post.title).contains(word), func.lower(Post.key).contains(word))
        )
    return list(session.scalars(query))


def posts_with_holders(session: Session) -> list[Post]:
    return list(session.scalars(select(Post).options(selectinload(Post.holder)).order_by(Post.key)))


def get_or_create_person(session: Session, slack_user_id: str) -> Person:
    person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
    if person is None:
        person = Person(slack_user_id=slack_user_id)
        session.add(person)
        session.flush()
    return person


def set_post_holder(session: Session, post_key: str, slack_user_id: str) -> Post:
    """`set_holder` without an audit entry: for a database of one's own (the offline console,
    the benches, the tests' fixtures), never the council's. PostNotFoundError if unknown."""
    post = find_post(session, post_key)
    post.holder = get_or_create_person(session, slack_user_id)
    return post


def covers_from(session: Session, day: date) -> list[Cover]:
    return list(
        session.scalars(
            select(Cover)
            .where(Cover.ends_on >= day)
            .options(selectinload(Cover.person), selectinload(Cover.post))
            .order_by(Cover.starts_on)
        )
    )
