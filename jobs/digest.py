"""Building a board's digest from the database: a fixed number of statements whatever the size
of the plans, read as plain rows (Core selects, no ORM objects): actions with owners, covers and
each one's latest standing update (kept on the action, `Action.latest_update_id`), changes since
the last meeting (by the index on `created_at`), and the RAG trend (past meetings' points are
stored on the meeting once it is over, `record_trend`; only a point not stored yet is replayed
from the status/RAG changes since it)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from db.due_dates import pending_requests
from db.models import (
    Action,
    Board,
    Meeting,
    MeetingStatus,
    Person,
    Plan,
    Post,
    Recommendation,
    Update,
)
from db.posts import covers_today
from db.status import DONE, count_rag, rag_key
from jobs.digest_model import ActionLine, Change, Digest, RecommendationRag, TrendPoint

TREND_MEETINGS = 6


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def _value(enum: Any) -> Any:
    return enum.value if enum is not None else None


def action_lines(session: Session, board: Board, today: date) -> list[ActionLine]:
    """Every action of the board's plans, with who owns it today and its latest update."""
    plan_ids = [p.id for p in board.plans]
    if not plan_ids:
        return []
    holder, latest = aliased(Person), aliased(Update)
    rows = (
        session.connection()
        .execute(
            select(
                Action.id.label("action_id"),
                Plan.key.label("plan_key"),
                Recommendation.number.label("recommendation"),
                Action.ref,
                Action.title,
                Post.title.label("post"),
                holder.slack_user_id.label("holder"),
                Action.due,
                Action.due_original,
                Action.status,
                Action.rag,
                latest.created_at.label("update_at"),
                latest.text.label("update_text"),
                Action.owner_post_id.label("post_id"),
                holder.name.label("holder_name"),
                Action.evidence,
            )
            .join(Plan, Plan.id == Action.plan_id)
            .join(Recommendation, Recommendation.id == Action.recommendation_id)
            .outerjoin(Post, Post.id == Action.owner_post_id)
            .outerjoin(holder, holder.id == Post.holder_id)
            .outerjoin(latest, latest.id == Action.latest_update_id)
            .where(Action.plan_id.in_(plan_ids))
            .order_by(Action.plan_id, Action.recommendation_id, Action.position)
        )
        .all()
    )
    covers = covers_today(session, plan_ids, today)
    return [
        ActionLine(
            r.action_id,
            r.plan_key,
            r.recommendation,
            r.ref,
            r.title,
            r.post if r.post is not None else "no owner post",
            covers.get(r.post_id or 0, (None, None))[0] or r.holder,
            r.due,
            r.due_original,
            r.status.value,
            _value(r.rag),
            r.update_at,
            r.update_text,
            owner_name=covers[r.post_id][1] if r.post_id in covers else r.holder_name,
            evidence=r.evidence,
        )
        for r in rows
    ]


def needs_update(line: ActionLine, since: datetime | None, today: date, meeting: date) -> bool:
    """Open, and: no update since the last meeting, overdue, or due by this meeting."""
    if line.status in DONE:
        return False
    stale = line.last_update_at is None or (since is not None and line.last_update_at < since)
    return stale or (line.due is not None and line.due <= meeting)


def _recent_versions(
    session: Session, wanted: Collection[int], since: datetime | None
) -> list[Any]:
    """The newest 2,000 update versions of the `wanted` actions since `since`, newest first."""
    query = (
        select(
            Update.id,
            Update.action_id,
            Update.supersedes_id,
            Update.retracted,
            Update.created_at,
            Update.text,
            Update.status_from,
            Update.status_to,
            Update.rag_from,
            Update.rag_to,
            Update.escalation,
            Update.due_to,
            Person.slack_user_id,
        )
        .outerjoin(Person, Person.id == Update.author_id)
        .order_by(Update.created_at.desc(), Update.id.desc())
        .execution_options(yield_per=500)
    )
    if since is not None:
        query = query.where(Update.created_at >= since)
    versions: list[Any] = []
    result = session.connection().execute(query)
    for row in result:
        if row.action_id in wanted:
            versions.append(row)
            if len(versions) == 2000:
                break
    result.close()
    return versions


def _changes(session: Session, lines: Sequence[ActionLine], since: datetime | None) -> list[Change]:
    """One change per update logged since `since` that still stands: its latest version's text
    and status, moved from where its first version found the action. A withdrawn update (its
    last version retracts it) is left out, with every version it had. The newest 2,000
    versions of the board's actions are read newest first along the index on `created_at`
    (one statement, streamed; other boards' updates are passed over here, not joined, so that
    no database sorts every update of every action)."""
    of = {line.action_id: line for line in lines}
    versions = _recent_versions(session, of.keys(), since)
    by_id = {v.id: v for v in versions}
    replaced = {v.supersedes_id for v in versions if v.supersedes_id}
    changes = []
    for head in versions:
        if head.id in replaced or head.retracted:
            continue
        first = head
        while first.supersedes_id in by_id:
            first = by_id[first.supersedes_id]
        line = of[head.action_id]
        changes.append(
            Change(
                line.plan_key,
                line.ref,
                line.title,
                first.created_at,
                first.slack_user_id,
                head.text,
                _value(first.status_from),
                _value(head.status_to),
                _value(first.rag_from),
                _value(head.rag_to),
                head.escalation or first.escalation,
                head.due_to or first.due_to,
            )
        )
    return sorted(changes, key=lambda c: c.at, reverse=True)


def _counts(lines: Sequence[ActionLine]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        count_rag(counts, line.status, line.rag)
    return counts


def replay(
    session: Session, lines: list[ActionLine], days: list[date], tz: ZoneInfo
) -> dict[date, dict[str, int]]:
    """RAG totals as they stood at the end of each day: an action stood where its first status
    or RAG change after that time found it, or as it stands now if nothing has changed it
    since. Reads only the changes since the earliest day."""
    if not days or not lines:
        return {day: {} for day in days}
    cuts = {day: local_midnight(day + timedelta(days=1), tz) for day in days}
    rows = session.connection().execute(
        select(
            Update.action_id,
            Update.created_at,
            Update.status_from,
            Update.rag_from,
            Update.status_to,
            Update.rag_to,
        )
        .where(Update.created_at >= min(cuts.values()))
        .order_by(Update.created_at, Update.id)
        .execution_options(yield_per=2000)
    )
    ours = {line.action_id for line in lines}
    after: dict[int, tuple[list[datetime], list[str]]] = defaultdict(lambda: ([], []))
    for action_id, at, status_from, rag_from, status_to, rag_to in rows:
        if action_id not in ours or (status_from == status_to and rag_from == rag_to):
            continue  # another board's, or changed nothing
        times, keys = after[action_id]
        times.append(at)
        keys.append(rag_key(_value(status_from) or "", _value(rag_from)))
    points = {}
    for day, cut in cuts.items():
        counts: dict[str, int] = defaultdict(int)
        for line in lines:
            times, keys = after.get(line.action_id, ([], []))
            i = bisect_left(times, cut)
            counts[keys[i] if i < len(times) else rag_key(line.status, line.rag)] += 1
        points[day] = dict(counts)
    return points


def _trend(
    session: Session,
    lines: list[ActionLine],
    meeting: date,
    past: list[date],
    stored: Mapping[date, dict[str, int]],
    tz: ZoneInfo,
) -> list[TrendPoint]:
    """The RAG totals of the last few meetings (stored, or replayed if not stored yet) and of
    this meeting (as things stand now)."""
    days = past[-(TREND_MEETINGS - 1) :]
    counts = replay(session, lines, [d for d in days if d not in stored], tz)
    counts |= {d: dict(stored[d]) for d in days if d in stored}
    return [TrendPoint(d, counts[d]) for d in days] + [TrendPoint(meeting, _counts(lines))]


def record_trend(session: Session, boards: Sequence[Board], today: date, tz: ZoneInfo) -> int:
    """Store the RAG totals of each board's recent meetings that are over (the last ones a
    digest's trend shows) and have none yet; how many were stored. One statement when there is
    nothing to store."""
    if not boards:
        return 0
    meetings = session.execute(
        select(Meeting.id, Meeting.board_id, Meeting.held_on, Meeting.rag_counts)
        .where(
            Meeting.board_id.in_([b.id for b in boards]),
            Meeting.held_on < today,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.held_on)
    ).all()
    stored = 0
    for board in boards:
        recent = [m for m in meetings if m.board_id == board.id][-(TREND_MEETINGS - 1) :]
        missing = [m for m in recent if m.rag_counts is None]
        if not missing:
            continue
        lines = action_lines(session, board, today)
        counts = replay(session, lines, [m.held_on for m in missing], tz)
        rows = [{"id": m.id, "rag_counts": counts.get(m.held_on, {})} for m in missing]
        session.execute(update(Meeting), rows)  # one executemany by primary key
        stored += len(rows)
    return stored


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
    stored_trend: Mapping[date, dict[str, int]] | None = None,
) -> Digest:
    today = now.astimezone(tz).date()
    plan_ids = [p.id for p in board.plans]
    keys = {p.id: p.key for p in board.plans}
    lines = action_lines(session, board, today)
    since = local_midnight(previous, tz) if previous else None
    recs: dict[tuple[str, str], RecommendationRag] = {}
    for rec_plan, number, text in session.connection().execute(
        select(Recommendation.plan_id, Recommendation.number, Recommendation.text)
        .where(Recommendation.plan_id.in_(plan_ids))
        .order_by(Recommendation.plan_id, Recommendation.position)
    ):
        recs[(keys[rec_plan], number)] = RecommendationRag(keys[rec_plan], number, text, {})
    for line in lines:
        count_rag(recs[(line.plan_key, line.recommendation)].counts, line.status, line.rag)
    changes = _changes(session, lines, since) if plan_ids else []
    open_lines = [x for x in lines if x.status not in DONE]
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
        trend=_trend(session, lines, meeting, past_meetings, stored_trend or {}, tz)
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
    digest = build_digest(
        session,
        board,
        meeting.held_on,
        before[-1] if before else None,
        after[0] if after else None,
        before,
        now=now,
        tz=tz,
        stored_trend={m.held_on: m.rag_counts for m in held if m.rag_counts is not None},
    )
    requests = pending_requests(session, [p.id for p in board.plans])
    return replace(digest, date_requests=requests) if requests else digest


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
