"""Building a board's digest from the database: a fixed number of statements whatever the size
of the plans (actions with owners and covers, latest updates, changes since the last meeting,
RAG history for the trend)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, aliased, joinedload, raiseload

from db.lookups import DONE
from db.models import Action, Board, Cover, Meeting, MeetingStatus, Post, Recommendation, Update
from jobs.digest_model import ActionLine, Change, Digest, RecommendationRag, TrendPoint

TREND_MEETINGS = 6


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def action_lines(session: Session, board: Board, today: date) -> list[ActionLine]:
    """Every action of the board's plans, with who owns it today and its latest update."""
    plan_ids = [p.id for p in board.plans]
    if not plan_ids:
        return []
    actions = list(
        session.scalars(
            select(Action)
            .where(Action.plan_id.in_(plan_ids))
            .options(
                joinedload(Action.owner_post).joinedload(Post.holder),
                joinedload(Action.plan),
                joinedload(Action.recommendation),
                raiseload("*"),
            )
            .order_by(Action.plan_id, Action.recommendation_id, Action.position)
        )
    )
    covers = {
        c.post_id: c.person.slack_user_id
        for c in session.scalars(
            select(Cover)
            .join(Action, Action.owner_post_id == Cover.post_id)
            .where(Action.plan_id.in_(plan_ids), Cover.starts_on <= today, Cover.ends_on >= today)
            .options(joinedload(Cover.person))
            .order_by(Cover.id)
        )
    }
    newest = (
        select(Update.id)
        .where(Update.action_id == Action.id, standing())
        .order_by(Update.created_at.desc(), Update.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )
    latest = {
        u.action_id: u
        for u in session.scalars(
            select(Update)
            .where(Update.id.in_(select(newest).where(Action.plan_id.in_(plan_ids))))
            .options(raiseload("*"))
        )
    }
    lines = []
    for a in actions:
        post = a.owner_post
        owner = covers.get(a.owner_post_id or 0) or (
            post.holder.slack_user_id if post and post.holder else None
        )
        lines.append(
            ActionLine(
                a.id,
                a.plan.key,
                a.recommendation.number,
                a.ref,
                a.title,
                post.title if post else "no owner post",
                owner,
                a.due,
                a.due_original,
                a.status.value,
                a.rag.value if a.rag else None,
                latest[a.id].created_at if a.id in latest else None,
                latest[a.id].text if a.id in latest else None,
            )
        )
    return lines


def needs_update(line: ActionLine, since: datetime | None, today: date, meeting: date) -> bool:
    """Open, and: no update since the last meeting, overdue, or due by this meeting."""
    if line.status in {s.value for s in DONE}:
        return False
    stale = line.last_update_at is None or (since is not None and line.last_update_at < since)
    return stale or (line.due is not None and line.due <= meeting)


def standing() -> ColumnElement[bool]:
    """An update that stands: not withdrawn (undone or its message deleted), not replaced by an
    edit (a later version supersedes it)."""
    later = aliased(Update)
    return Update.retracted.is_(False) & ~exists().where(later.supersedes_id == Update.id)


def _changes(session: Session, plan_ids: list[int], since: datetime | None) -> list[Change]:
    """One change per update logged since `since` that still stands: its latest version's text
    and status, moved from where its first version found the action. A withdrawn update (its
    last version retracts it) is left out, with every version it had."""
    query = (
        select(Update)
        .join(Action, Action.id == Update.action_id)
        .where(Action.plan_id.in_(plan_ids))
        .options(
            joinedload(Update.action).joinedload(Action.plan),
            joinedload(Update.author),
            raiseload("*"),
        )
        .order_by(Update.created_at.desc(), Update.id.desc())
    )
    if since is not None:
        query = query.where(Update.created_at >= since)
    versions = list(session.scalars(query.limit(2000)))
    by_id = {u.id: u for u in versions}
    replaced = {u.supersedes_id for u in versions if u.supersedes_id}
    changes = []
    for head in versions:
        if head.id in replaced or head.retracted:
            continue
        first = head
        while first.supersedes_id in by_id:
            first = by_id[first.supersedes_id]
        changes.append(
            Change(
                head.action.plan.key,
                head.action.ref,
                head.action.title,
                first.created_at,
                first.author.slack_user_id if first.author else None,
                head.text,
                first.status_from.value if first.status_from else None,
                head.status_to.value if head.status_to else None,
                first.rag_from.value if first.rag_from else None,
                head.rag_to.value if head.rag_to else None,
                head.escalation or first.escalation,
                head.due_to or first.due_to,
            )
        )
    return sorted(changes, key=lambda c: c.at, reverse=True)


def _key(status: str, rag: str | None) -> str:
    return "done" if status in {s.value for s in DONE} else (rag or "unrated")


def _trend(
    session: Session, plan_ids: list[int], lines: list[ActionLine], dates: list[date], tz: ZoneInfo
) -> list[TrendPoint]:
    """RAG totals as they stood on past meeting dates, replayed from status/RAG changes."""
    if not dates:
        return []
    changes = session.execute(
        select(
            Update.action_id,
            Update.created_at,
            Update.status_to,
            Update.rag_to,
            Update.status_from,
            Update.rag_from,
        )
        .join(Action, Action.id == Update.action_id)
        .where(
            Action.plan_id.in_(plan_ids),
            (Update.rag_to.is_distinct_from(Update.rag_from))
            | (Update.status_to.is_distinct_from(Update.status_from)),
        )
        .order_by(Update.created_at, Update.id)
    ).all()
    by_action: dict[int, list[tuple[datetime, str, str | None, str, str | None]]] = defaultdict(
        list
    )
    for action_id, at, status_to, rag_to, status_from, rag_from in changes:
        by_action[action_id].append(
            (
                at,
                status_to.value if status_to else "",
                rag_to.value if rag_to else None,
                status_from.value if status_from else "",
                rag_from.value if rag_from else None,
            )
        )
    points = []
    for day in dates:
        cut = local_midnight(day + timedelta(days=1), tz)
        counts: dict[str, int] = defaultdict(int)
        for line in lines:
            history = by_action.get(line.action_id, [])
            before = [h for h in history if h[0] < cut]
            if before:
                counts[_key(before[-1][1], before[-1][2])] += 1
            elif history:
                counts[_key(history[0][3], history[0][4])] += 1
            else:
                counts[_key(line.status, line.rag)] += 1
        points.append(TrendPoint(day, dict(counts)))
    return points


def build_digest(
    session: Session,
    board: Board,
    meeting: date,
    previous: date | None,
    following: date | None,
    past_meetings: list[date],
    *,
    now: datetime,
    tz: ZoneInfo,
) -> Digest:
    today = now.astimezone(tz).date()
    plan_ids = [p.id for p in board.plans]
    lines = action_lines(session, board, today)
    since = local_midnight(previous, tz) if previous else None
    recs: dict[tuple[str, str], RecommendationRag] = {}
    for rec_plan, number, text in session.execute(
        select(Recommendation.plan_id, Recommendation.number, Recommendation.text)
        .where(Recommendation.plan_id.in_(plan_ids))
        .order_by(Recommendation.plan_id, Recommendation.position)
    ):
        key = next(p.key for p in board.plans if p.id == rec_plan)
        recs[(key, number)] = RecommendationRag(key, number, text, {})
    for line in lines:
        counts = recs[(line.plan_key, line.recommendation)].counts
        counts[_key(line.status, line.rag)] = counts.get(_key(line.status, line.rag), 0) + 1
    changes = _changes(session, plan_ids, since) if plan_ids else []
    open_lines = [x for x in lines if x.status not in {s.value for s in DONE}]
    return Digest(
        board_key=board.key,
        board_name=board.name,
        meeting=meeting,
        previous_meeting=previous,
        next_meeting=following,
        generated_at=now,
        plans=[p.key for p in board.plans],
        recommendations=list(recs.values()),
        actions=lines,
        changes=changes,
        overdue=[x for x in open_lines if x.due is not None and x.due < today],
        due_before_next=[
            x
            for x in open_lines
            if x.due is not None and today <= x.due and (following is None or x.due < following)
        ],
        chase=[
            x
            for x in open_lines
            if x.last_update_at is None or (since is not None and x.last_update_at < since)
        ],
        escalations=[c for c in changes if c.escalation],
        awaiting_signoff=[x for x in lines if x.status == "complete"],
        trend=_trend(
            session, plan_ids, lines, [*past_meetings[-(TREND_MEETINGS - 1) :], meeting], tz
        )
        if plan_ids
        else [],
    )


def digest_for(
    session: Session, board: Board, meeting: Meeting, now: datetime, tz: ZoneInfo
) -> Digest:
    held = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.board_id == board.id, Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.held_on)
        )
    )
    before = [m.held_on for m in held if m.held_on < meeting.held_on]
    after = [m.held_on for m in held if m.held_on > meeting.held_on]
    return build_digest(
        session,
        board,
        meeting.held_on,
        before[-1] if before else None,
        after[0] if after else None,
        before,
        now=now,
        tz=tz,
    )


def next_meeting(session: Session, board: Board, today: date) -> Meeting | None:
    return session.scalar(
        select(Meeting)
        .where(
            Meeting.board_id == board.id,
            Meeting.held_on >= today,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.held_on)
        .limit(1)
    )
