"""Request benchmark: signed `/ofsted` requests dispatched through the real Bolt app in-process.

    .venv/bin/python bench/requests.py --url sqlite:////tmp/bench.db [--n 300]

Beside the verbs, a no-op slash command registered on the same app is the floor: what Bolt
itself costs per request (signature check, parsing, listener dispatch). For each verb it prints
p50/p99 latency, the ratio to the floor, the SQL statements and the CPU time per request (the
whole process's: building the signed request counts too). Run it on a small and a large
database (bench/generate.py) to see that statements per request do not grow.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltRequest
from sqlalchemy import event, func, select

from bench.workload import current_plan_targets, percentile
from bot.app import build_app
from bot.devtools.fakeslack import FakeSlack
from bot.devtools.slack_requests import signed_headers, slash_command_body
from bot.settings import Settings
from db.database import Database
from db.models import Action, Recommendation

SECRET = "bench-secret"
WORDS = [
    "supervision",
    "mental health",
    "care leavers",
    "permanence",
    "fostering placements",
    "management oversight",
    "assessment plans",
    "recruitment",
    "supervison quality",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL (made by bench/generate.py)")
    parser.add_argument("--n", type=int, default=300, help="requests per verb")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    database = Database.connect(args.url)
    statements = [0]
    event.listen(
        database.engine,
        "before_cursor_execute",
        lambda *a: statements.__setitem__(0, statements[0] + 1),
    )
    targets = current_plan_targets(database)
    numbers, refs, owner = targets.numbers, targets.refs, targets.owner
    with database.sessions() as session:
        sizes = {
            name: session.scalar(select(func.count()).select_from(model))
            for name, model in (("recommendations", Recommendation), ("actions", Action))
        }
    print(
        f"database: {args.url}\ncurrent plan {targets.plan_key}: {len(numbers)} recommendations, "
        f"{len(refs)} actions; in all {sizes}"
    )

    with FakeSlack() as fake:
        settings = Settings(
            slack_api_url=fake.base_url,
            slack_bot_token="xoxb-bench",  # type: ignore[arg-type]
            slack_signing_secret=SECRET,
            database_url=args.url,  # type: ignore[arg-type]
            plans_file=None,
            log_level="WARNING",
        )
        app = build_app(settings, database, process_before_response=True)

        @app.command("/noop")
        def noop(ack: Ack) -> None:
            ack()

        verbs: dict[str, Callable[[], tuple[str, str, str]]] = {
            "floor (/noop)": lambda: ("/noop", "", "U0BENCH"),
            "rec N": lambda: ("/ofsted", f"rec {rng.choice(numbers)}", "U0BENCH"),
            "action REF": lambda: ("/ofsted", f"action {rng.choice(refs)}", "U0BENCH"),
            "search WORDS": lambda: ("/ofsted", f"search {rng.choice(WORDS)}", "U0BENCH"),
            "mine": lambda: ("/ofsted", "mine", owner or "U0BENCH"),
            "overdue": lambda: ("/ofsted", "overdue", "U0BENCH"),
        }
        # warm up: first search builds the index; first queries fill caches
        for make in verbs.values():
            for _ in range(5):
                dispatch(app, fake, *make())
        results: dict[str, dict[str, Any]] = {}
        for name, make in verbs.items():
            times: list[float] = []
            before = statements[0]
            cpu = time.process_time()
            for _ in range(args.n):
                command, text, user = make()
                started = time.perf_counter()
                status = dispatch(app, fake, command, text, user)
                times.append((time.perf_counter() - started) * 1000)
                assert status == 200, (name, text, status)
            results[name] = {
                "p50": statistics.median(times),
                "p99": percentile(times, 0.99),
                "sql": (statements[0] - before) / args.n,
                "cpu": (time.process_time() - cpu) * 1000 / args.n,
            }
    floor = results["floor (/noop)"]
    print(
        f"\n{'verb':<16}{'p50 ms':>9}{'p99 ms':>9}{'p50/floor':>11}{'p99/floor':>11}"
        f"{'SQL/request':>13}{'CPU ms':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:<16}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['p50'] / floor['p50']:>10.1f}×"
            f"{r['p99'] / floor['p99']:>10.1f}×{r['sql']:>13.1f}{r['cpu']:>8.2f}"
        )


def dispatch(app: Any, fake: FakeSlack, command: str, text: str, user: str) -> int:
    body = slash_command_body(text, user_id=user, response_url=fake.response_url(), command=command)
    headers: dict[str, Any] = dict(signed_headers(SECRET, body))
    return int(app.dispatch(BoltRequest(body=body, headers=headers)).status)


if __name__ == "__main__":
    main()
