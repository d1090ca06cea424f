"""Load benchmark: signed `/ofsted` slash commands at a fixed rate against `ofsted-bot run --http`.

    .venv/bin/python bench/load.py --url sqlite:////tmp/bench.db [--rate 100] [--seconds 20]
        [--concurrency 64] [--server-arg=--workers=2]

It starts the bot as a separate process (HTTP mode, scheduler off, its Web API calls going to
an in-process fake Slack), waits for `/healthz`, then sends requests open-loop: request i is
due at start + i/rate whatever happened to earlier ones, and its latency is measured from
that due time (so a server that falls behind is charged for the queue, as Slack would see it).
Commands are a mix of `rec N`, `action REF`, `search WORDS`, `mine` and `overdue`. It prints
p50/p99/max of the ack, how many took over 1 s and over Slack's 3 s, the achieved rate, the
server's CPU seconds per request (its whole process tree, from /proc) and its RSS at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.workload import current_plan_targets, percentile
from bot.devtools.fakeslack import FakeSlack
from bot.devtools.slack_requests import signed_headers, slash_command_body
from db.database import Database

SECRET = "bench-secret"
WORDS = ["supervision", "mental health", "care leavers", "permanence", "recruitment"]
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def process_tree(root: int) -> list[int]:
    """The pid and every descendant (uvicorn workers, say)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(root: int) -> float:
    total = 0.0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return total


def rss_mb(root: int) -> float:
    total = 0
    for pid in process_tree(root):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
    return total / 2**20


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float | None, error: str | None = None) -> None:
        with self.lock:
            if latency is not None:
                self.latencies.append(latency)
            if error:
                self.errors[error] = self.errors.get(error, 0) + 1


def commands_for(url: str) -> tuple[list[Callable[[random.Random], str]], str]:
    database = Database.connect(url)
    targets = current_plan_targets(database)
    numbers, refs, owner = targets.numbers, targets.refs, targets.owner
    database.engine.dispose()
    makers: list[Callable[[random.Random], str]] = [
        lambda rng: f"rec {rng.choice(numbers)}",
        lambda rng: f"action {rng.choice(refs)}",
        lambda rng: f"search {rng.choice(WORDS)}",
        lambda rng: "mine",
        lambda rng: "overdue",
    ]
    return makers, owner or "U0BENCH"


def start_server(args: argparse.Namespace, fake: FakeSlack) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": args.url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        "SCHEDULER": "false",
        "LOG_LEVEL": "WARNING",
        "PLANS_FILE": "",
    }
    env.pop("SLACK_APP_TOKEN", None)
    command = [sys.executable, "-m", "bot.cli", "run", "--http", "--port", str(args.port)]
    return subprocess.Popen([*command, *args.server_arg], env=env)


def wait_healthy(port: int, server: subprocess.Popen[bytes], limit: float = 30.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    raise SystemExit("the server did not answer /healthz")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL (made by bench/generate.py)")
    parser.add_argument("--rate", type=float, default=100.0, help="commands a second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=64, help="client connections")
    parser.add_argument("--port", type=int, default=3917)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=50, help="requests before measuring")
    parser.add_argument("--server-arg", action="append", default=[], help="passed to `run`")
    args = parser.parse_args()

    makers, owner = commands_for(args.url)
    rng = random.Random(args.seed)
    results = Results()
    due: queue.Queue[tuple[float, str, str] | None] = queue.Queue()

    with FakeSlack() as fake:
        server = start_server(args, fake)
        try:
            startup = wait_healthy(args.port, server)

            def client() -> None:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                while (item := due.get()) is not None:
                    at, text, user = item
                    body = slash_command_body(text, user_id=user, response_url=fake.response_url())
                    try:
                        headers = signed_headers(SECRET, body)
                        connection.request("POST", "/slack/events", body, headers)
                        response = connection.getresponse()
                        response.read()
                        status = response.status
                    except (OSError, http.client.HTTPException) as exc:
                        connection.close()
                        results.add(None, type(exc).__name__)
                        continue
                    latency = time.perf_counter() - at
                    results.add(latency, None if status == 200 else f"HTTP {status}")

            threads = [
                threading.Thread(target=client, daemon=True) for _ in range(args.concurrency)
            ]
            for thread in threads:
                thread.start()
            for _ in range(args.warmup):  # first search builds its index; caches fill
                due.put((time.perf_counter(), rng.choice(makers)(rng), owner))
            while not due.empty():
                time.sleep(0.05)
            time.sleep(1.0)
            results.latencies.clear()
            results.errors.clear()

            total = int(args.rate * args.seconds)
            cpu_before, started = cpu_seconds(server.pid), time.perf_counter()
            for i in range(total):
                at = started + i / args.rate
                delay = at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                due.put((at, rng.choice(makers)(rng), owner))
            for _ in threads:
                due.put(None)
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(server.pid) - cpu_before
            rss = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)

    latencies = [x * 1000 for x in results.latencies]
    answered = len(latencies)
    print(
        f"server: run --http {' '.join(args.server_arg)} on {args.url}\n"
        f"startup to /healthz: {startup:.2f} s\n"
        f"sent {total} at {args.rate:g}/s over {args.seconds:g} s; answered {answered} "
        f"in {elapsed:.1f} s ({answered / elapsed:.0f}/s); errors {results.errors or 'none'}\n"
        f"ack ms: p50 {percentile(latencies, 0.5):.0f}, p99 {percentile(latencies, 0.99):.0f}, "
        f"max {max(latencies, default=0):.0f}; over 1 s: {sum(x > 1000 for x in latencies)}, "
        f"over 3 s: {sum(x > 3000 for x in latencies)}\n"
        f"server CPU: {cpu / max(answered, 1) * 1000:.1f} ms a request ({cpu:.1f} s); "
        f"RSS at end: {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
