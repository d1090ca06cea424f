"""Building a board's digest from the database: a fixed number of statements whatever the size
of the plans (actions with owners and covers, latest updates, changes since the last meeting,
RAG history for the trend)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, raiseload

from db.lookups import DONE
from db.models import Action, Board, Cover, Post, Recommendation, Update
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
    latest_at = dict(
        session.execute(
            select(Update.action_id, func.max(Update.created_at))
            .join(Action, Action.id == Update.action_id)
            .where(Action.plan_id.in_(plan_ids), Update.retracted.is_(False))
            .group_by(Update.action_id)
        ).all()
    )
    texts = {
        u.action_id: u.text
        for u in session.scalars(
            select(Update)
            .join(Action, Action.id == Update.action_id)
            .where(
                Action.plan_id.in_(plan_ids),
                Update.retracted.is_(False),
                Update.created_at
                == select(func.max(Update.created_at))
                .where(Update.action_id == Action.id, Update.retracted.is_(False))
                .correlate(Action)
                .scalar_subquery(),
            )
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
                latest_at.get(a.id),
                texts.get(a.id),
            )
        )
    return lines


def needs_update(line: ActionLine, since: datetime | None, today: date, meeting: date) -> bool:
    """Open, and: no update since the last meeting, overdue, or due by this meeting."""
    if line.status in {s.value for s in DONE}:
        return False
    stale = line.last_update_at is None or (since is not None and line.last_update_at < since)
    return stale or (line.due is not None and line.due <= meeting)


def _changes(session: Session, plan_ids: list[int], since: datetime | None) -> list[Change]:
    query = (
        select(Update)
        .join(Action, Action.id == Update.action_id)
        .where(Action.plan_id.in_(plan_ids), Update.retracted.is_(False))
        .options(
            joinedload(Update.action).joinedload(Action.plan),
            joinedload(Update.author),
            raiseload("*"),
        )
        .order_by(Update.created_at.desc(), Update.id.desc())
    )
    if since is not None:
        query = query.where(Update.created_at >= since)
    return [
        Change(
            u.action.plan.key,
            u.action.ref,
            u.action.title,
            u.created_at,
            u.author.slack_user_id if u.author else None,
            u.text,
            u.status_from.value if u.status_from else None,
            u.status_to.value if u.status_to else None,
            u.rag_from.value if u.rag_from else None,
            u.rag_to.value if u.rag_to else None,
            u.escalation,
            u.due_to,
        )
        for u in session.scalars(query.limit(2000))
    ]


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
