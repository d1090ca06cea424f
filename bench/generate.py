"""Generate a large, deterministic plan database for benchmarks (see bench/README.md).

    .venv/bin/python bench/generate.py --url sqlite:////tmp/bench.db --reset
    .venv/bin/python bench/generate.py --url postgresql://postgres@127.0.0.1:5432/test \
        --schema bench --reset

Rows go in with SQLAlchemy Core bulk inserts in batches of 5,000, not ORM objects one by one.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, inspect, select, text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from db.database import Database
from db.models import Action, Board, Person, Plan, Post, Recommendation, Update, board_plan
from db.session import make_engine
from db.status import ActionStatus as S
from db.status import Rag
from db.updates import latest_standing

Row = dict[str, Any]
BATCH = 5_000


def pipe(words: str) -> list[str]:
    return words.split("|")


BOARDS = 3
TOPICS = pipe(
    "assessment|supervision|permanence planning|care leavers' pathway plans|mental health support|"
    "fostering recruitment|placement sufficiency|management oversight|child protection planning|"
    "strategy discussions|return home interviews|exploitation risk|early help|the front door|"
    "life story work|health assessments|the virtual school|kinship care|pre-proceedings work|"
    "independent reviewing officer challenge|private fostering|case recording|quality assurance|"
    "workforce stability|caseloads|neglect|corporate parenting|residential placements|"
    "domestic abuse|children missing from care"
)
GROUPS = pipe(
    "children in care|care leavers|children in need|disabled children|foster carers|"
    "children subject to a child protection plan|young people at risk of exploitation|"
    "unaccompanied asylum-seeking children|children on the edge of care"
)
REC_VERBS = pipe(
    "Improve the quality of|Strengthen|Ensure consistency in|Embed effective|"
    "Increase the timeliness of|Review the impact of|Improve leaders' understanding of"
)
OUTCOMES = pipe(
    "their needs are understood and met|plans are specific and reviewed in good time|"
    "risks are identified and acted on quickly|they achieve permanence without delay|"
    "their views shape the help they receive|leaders know the quality of practice|"
    "they live in stable, suitable placements|decisions and their reasons are recorded"
)
ACTION_VERBS = pipe(
    "Deliver training on|Audit a sample of cases for|Introduce a practice standard for|"
    "Recruit additional staff for|Publish guidance on|Set up a monthly panel on|"
    "Commission an independent review of|Build a performance dashboard for|"
    "Refresh the policy on|Run a practice week on"
)
PHRASES = pipe(
    "Audit of {n} cases completed and findings shared with team managers|"
    "Training on {t} delivered to {n} practitioners|Dip sample shows improvement in {t} for {g}|"
    "Recruitment to {n} posts is under way|Awaiting sign-off from the Director|"
    "Performance data on {t} is now reported monthly to the board|"
    "Some delay because of staff sickness in the team|New template for {t} launched|"
    "Feedback from {g} gathered and themes shared|Evidence uploaded to the improvement folder|"
    "Risk escalated to the improvement board|Management oversight of {t} checked in supervision|"
    "Next step is a follow-up audit of {n} cases|Partners agreed the revised approach to {t}"
)
ROLES = pipe("Director|Deputy Director|Head of Service|Service Manager|Team Manager|Practice Lead")
AREAS = pipe(
    "Corporate Parenting|Safeguarding|Fostering|Care Leavers|Quality Assurance|Early Help|"
    "Children with Disabilities|Front Door|Commissioning|Workforce"
)
FIRST = pipe("Alex|Sam|Priya|Tom|Aisha|Chris|Jo|Mei|Daniel|Fatima|Ruth|Owen|Grace|Yusuf")
LAST = pipe("Patel|Smith|Jones|Khan|Evans|Brown|Okafor|Taylor|Wilson|Li|Murphy|Ahmed|Clarke")
GRADES = ("inadequate", "requires improvement to be good", "good", "outstanding")
MIDDLE = (S.ON_TRACK, S.AT_RISK, S.OFF_TRACK)
FINAL = {  # where actions end up: the current plan is under way, older plans are mostly done
    True: {S.ON_TRACK: 5, S.AT_RISK: 3, S.OFF_TRACK: 1, S.COMPLETE: 2, S.SIGNED_OFF: 1},
    False: {S.ON_TRACK: 1, S.AT_RISK: 1, S.OFF_TRACK: 1, S.COMPLETE: 2, S.SIGNED_OFF: 6},
}
RAG_OF = {S.ON_TRACK: Rag.GREEN, S.AT_RISK: Rag.AMBER, S.OFF_TRACK: Rag.RED}
RAG_OF |= {S.COMPLETE: Rag.GREEN, S.SIGNED_OFF: Rag.GREEN}
SOURCES = ("slash", "thread reply", "modal")
UPDATES_FROM = datetime(2023, 1, 1, tzinfo=UTC)
TWO_YEARS = 2 * 365 * 86_400
# All rows of a table carry the same keys, so each batch is one executemany.
UPDATE_NULLS = dict.fromkeys(c.key for c in Update.__table__.columns if c.nullable)
ACTION_NULLS = {"rag": None, "evidence": None, "source_ref": None, "illustrative": []}


def spread(total: int, parts: int) -> list[int]:
    """`total` split as evenly as possible into `parts`."""
    return [total // parts + (i < total % parts) for i in range(parts)]


def words(rng: random.Random) -> str:
    """10 to 60 words of progress report."""
    target, out = rng.randint(10, 60), []
    while len(out) < target:  # whole sentences; only a rare last one is cut at 60 words
        phrase = rng.choice(PHRASES).format(
            n=rng.randint(3, 40), t=rng.choice(TOPICS), g=rng.choice(GROUPS)
        )
        out += f"{phrase}.".split()
    return " ".join(out[:60]).rstrip(".,") + "."


def make_updates(args: argparse.Namespace, rng: random.Random, rows: dict[str, list[Row]]) -> None:
    """Updates for each action; the action's status, RAG and due date are made to match them."""
    plans, posts, actions = rows["plan"], rows["post"], rows["action"]
    # Skewed: a quarter of actions get no updates, a few get very many (capped Pareto weights).
    weights = [0.0 if rng.random() < 0.25 else min(rng.paretovariate(1.5), 20) for _ in actions]
    counts = [0] * len(actions)
    for a in rng.choices(range(len(actions)), weights=weights, k=args.updates):
        counts[a] += 1
    updates: list[Row] = []
    for a, (action, n) in enumerate(zip(actions, counts, strict=True)):
        if not n:
            continue
        holder = posts[action["owner_post_id"]]["holder_id"]
        final = FINAL[plans[action["plan_id"]]["is_current"]]
        path = [rng.choice(MIDDLE) for _ in range(rng.randint(0, 3))]
        path += rng.choices(list(final), list(final.values()))
        path = [s for s, before in zip(path, [S.NOT_STARTED, *path], strict=False) if s != before]
        changes = dict(zip(sorted(rng.sample(range(n), min(n, len(path)))), path[-n:], strict=True))
        moved = rng.randrange(n) if rng.random() < 0.2 else -1
        times = sorted(UPDATES_FROM + timedelta(seconds=rng.randrange(TWO_YEARS)) for _ in range(n))
        status, rag = S.NOT_STARTED, None
        for i, created in enumerate(times):
            row = UPDATE_NULLS | {
                "action_id": a, "version": 1, "author_id": holder, "text": words(rng),
                "retracted": False, "source": rng.choices(SOURCES, (5, 3, 2))[0],
                "created_at": created,
            }  # fmt: skip
            if rng.random() < 0.4:  # someone other than the owner wrote it
                row["author_id"] = rng.randrange(args.people)
                if row["author_id"] != holder and rng.random() < 0.2:
                    row["on_behalf_of_id"] = holder
            if i in changes:
                row |= {"status_from": status, "status_to": changes[i]}
                status = changes[i]
                if RAG_OF[status] != rag:
                    row |= {"rag_from": rag, "rag_to": RAG_OF[status]}
                if status is S.COMPLETE:
                    row["evidence"] = action["evidence"] = f"Audit report and board minutes ({a})"
            elif status in MIDDLE and rng.random() < 0.03:  # RAG moved on its own
                row |= {"rag_from": rag, "rag_to": rng.choice([g for g in Rag if g != rag])}
            rag = row["rag_to"] or rag
            if i == moved:
                due = action["due_original"] + timedelta(days=rng.randint(28, 180))
                row |= {"due_from": action["due"], "due_to": due, "due_reason": "Team capacity"}
                action["due"] = due
            updates.append(row)
        action |= {"status": status, "rag": rag}  # the action agrees with its latest update
    updates.sort(key=lambda u: u["created_at"])  # ids rise with time, as in real use
    for n, row in enumerate(updates):
        if row["source"] == "thread reply":
            ts = f"{int(row['created_at'].timestamp())}.{n:06d}"
            link = f"https://bench.slack.com/archives/C0BENCH001/p{ts.replace('.', '')}"
            row |= {"slack_channel": "C0BENCH001", "slack_ts": ts, "permalink": link}
            row["event_id"] = f"Ev{n:010d}"
    rows["action_update"] = updates


def generate(args: argparse.Namespace, rng: random.Random) -> dict[str, list[Row]]:
    """Every row, with local references (list indexes) where `load` will put database ids."""
    people = [
        {"slack_user_id": f"U{i + 1:08d}", "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}"}
        for i in range(args.people)
    ]
    titles = enumerate(f"{role}, {area}" for role in ROLES for area in AREAS)
    posts = [
        {"key": f"bench-post-{i + 1:02d}", "title": title, "illustrative": False}
        | {"holder_id": 0 if i == 0 else rng.randrange(args.people)}  # U00000001 holds post 1
        for i, title in titles
    ]
    plans: list[Row] = []
    for p in range(args.plans):
        current = p == args.plans - 1
        days = p * 14 * 365 // max(args.plans - 1, 1) + rng.randint(0, 60)
        published = date(2008, 3, 1) + timedelta(days=days)
        plans.append({
            "key": "bench-current" if current else f"bench-{2001 + p}",
            "title": f"Benchmark ILACS inspection, {published:%B %Y}",
            "council": "Benchmark Council", "kind": "inspection", "body": "Ofsted",
            "inspected_from": published - timedelta(days=60),
            "inspected_to": published - timedelta(days=49),
            "published": published, "is_current": current, "overall": rng.choice(GRADES),
        })  # fmt: skip
    recs: list[Row] = []
    actions: list[Row] = []
    rec_plan = [p for p, n in enumerate(spread(args.recommendations, args.plans)) for _ in range(n)]
    per_rec = spread(args.actions, len(rec_plan))
    for r, (p, n_actions) in enumerate(zip(rec_plan, per_rec, strict=True)):
        number = 1 if r == 0 or rec_plan[r - 1] != p else recs[-1]["position"] + 2
        topic, other = rng.sample(TOPICS, 2)
        text = f"{rng.choice(REC_VERBS)} {topic} and {other} for {rng.choice(GROUPS)}, so that "
        recs.append({
            "plan_id": p, "number": str(number), "position": number - 1,
            "text": text + rng.choice(OUTCOMES) + ".", "area": rng.choice(AREAS),
            "paragraphs": [], "findings": [],
        })  # fmt: skip
        for k in range(n_actions):
            due = date(2022, 1, 1) + timedelta(days=rng.randrange(3 * 365))
            first = number == 1 and k == 0  # U00000001 owns some current actions: /ofsted mine
            mine = plans[p]["is_current"] and (first or len(actions) % 10 == 0)
            actions.append(ACTION_NULLS | {
                "plan_id": p, "recommendation_id": r, "ref": f"{number}.{k + 1}", "position": k,
                "title": f"{rng.choice(ACTION_VERBS)} {rng.choice(TOPICS)}",
                "owner_post_id": 0 if mine else rng.randrange(len(posts)),
                "due_original": due, "due": due, "status": S.NOT_STARTED,
            })  # fmt: skip
    boards = [
        {"key": f"bench-board-{b + 1}", "name": f"Benchmark Improvement Board {b + 1}"}
        | {"every_weeks": 6, "anchor": date(2023, 1, 4) + timedelta(weeks=2 * b)}
        | {"channel": f"#bench-board-{b + 1}", "secretary_post_id": b + 1, "illustrative": []}
        for b in range(BOARDS)
    ]
    links = [{"board_id": p % BOARDS, "plan_id": p} for p in range(args.plans)]
    current = args.plans - 1  # every board oversees the current plan
    links += [{"board_id": b, "plan_id": current} for b in range(BOARDS) if b != current % BOARDS]
    rows = {"person": people, "post": posts, "plan": plans, "recommendation": recs}
    rows |= {"action": actions, "action_update": [], "board": boards, "board_plan": links}
    make_updates(args, rng, rows)
    return rows


def load(session: Session, rows: dict[str, list[Row]]) -> None:
    """Insert parents first; after each table, turn local references into the new ids."""

    def bulk(target: Any, table: list[Row], **refs: list[int]) -> None:
        for row in table:
            for column, ids in refs.items():
                if row[column] is not None:
                    row[column] = ids[row[column]]
        statement = insert(target).execution_options(render_nulls=True)  # NULLs batch too
        for i in range(0, len(table), BATCH):
            session.execute(statement, table[i : i + BATCH])

    def ids(table: list[Row], *columns: Any) -> list[int]:
        result = session.execute(select(*columns, columns[0].class_.id))
        found = {tuple(r[:-1]): r[-1] for r in result}
        return [found[tuple(row[c.key] for c in columns)] for row in table]

    bulk(Person, rows["person"])
    person = ids(rows["person"], Person.slack_user_id)
    bulk(Post, rows["post"], holder_id=person)
    post = ids(rows["post"], Post.key)
    bulk(Plan, rows["plan"])
    plan = ids(rows["plan"], Plan.key)
    bulk(Recommendation, rows["recommendation"], plan_id=plan)
    rec = ids(rows["recommendation"], Recommendation.plan_id, Recommendation.number)
    bulk(Action, rows["action"], plan_id=plan, recommendation_id=rec, owner_post_id=post)
    action = ids(rows["action"], Action.plan_id, Action.ref)
    bulk(Update, rows["action_update"], action_id=action, author_id=person, on_behalf_of_id=person)
    # each action's latest standing update, as db.updates.refresh_latest keeps it
    session.execute(update(Action).values(latest_update_id=latest_standing(Action.id)))
    bulk(Board, rows["board"], secretary_post_id=post)
    board = ids(rows["board"], Board.key)
    bulk(board_plan, rows["board_plan"], board_id=board, plan_id=plan)


def prepare(args: argparse.Namespace) -> URL:
    """Apply --reset and --schema; return the URL to connect to (and to give the bot)."""
    url = make_url(args.url)
    if url.get_backend_name() == "sqlite":
        if args.schema:
            sys.exit("--schema is for PostgreSQL only")
        if args.reset and url.database and url.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(url.database + suffix).unlink(missing_ok=True)
        return url
    if not args.schema:
        if args.reset:
            sys.exit("--reset on PostgreSQL needs --schema NAME (public is never dropped)")
        return url
    if args.schema == "public" or not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.schema):
        sys.exit(f"bad schema {args.schema!r}: lower-case letters, digits and _, not public")
    engine = make_engine(url)
    with engine.begin() as connection:
        if args.reset:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{args.schema}"'))
    engine.dispose()
    return url.update_query_dict({"options": f"-csearch_path={args.schema}"})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate a large plan database for benchmarks.")
    parser.add_argument("--url", required=True, help="sqlite:///FILE or postgresql://…")
    sizes = {"plans": 20, "recommendations": 400, "actions": 4000, "updates": 200_000}
    for name, default in (sizes | {"people": 300, "seed": 1}).items():
        parser.add_argument(f"--{name}", type=int, default=default, help=f"default {default}")
    parser.add_argument("--reset", action="store_true", help="start from an empty database")
    parser.add_argument("--schema", help="PostgreSQL: use (and create) this schema, not public")
    args = parser.parse_args(argv)
    nested = 1 <= args.plans <= args.recommendations <= args.actions
    if not nested or args.people < 1 or args.updates < 0:
        parser.error("need 1 <= plans <= recommendations <= actions, people >= 1, updates >= 0")
    started = time.perf_counter()
    url = prepare(args)
    db = Database.connect(url.render_as_string(hide_password=False))
    if inspect(db.engine).has_table("plan"):
        with db.sessions() as session:
            for model in (Plan, Person, Post, Board):
                if session.scalar(select(func.count()).select_from(model)):
                    sys.exit(f"table {model.__tablename__} is not empty: --reset starts afresh")
    db.upgrade()
    rows = generate(args, random.Random(args.seed))
    generated = time.perf_counter()
    with db.writes.begin() as session:
        load(session, rows)
    loaded = time.perf_counter()
    if db.engine.dialect.name == "postgresql":  # planner statistics, as autovacuum would make
        with db.engine.begin() as connection:
            connection.execute(text(f"ANALYZE {', '.join(rows)}"))
    with db.sessions() as session:
        for name in rows:
            count = session.scalar(select(func.count()).select_from(Plan.metadata.tables[name]))
            print(f"{name:>15} {count:>9,}")
    db.dispose()
    took = f"inserted in {loaded - generated:.1f}s, total {time.perf_counter() - started:.1f}s"
    print(f"generated in {generated - started:.1f}s, {took}")
    print(f"url: {url.render_as_string(hide_password=False)}")


if __name__ == "__main__":
    main()
