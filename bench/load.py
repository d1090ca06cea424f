"""Load benchmark: signed `/ofsted` slash commands over HTTP against `ofsted-bot run --http`.

    .venv/bin/python bench/load.py --url sqlite:////tmp/bench.db [--rate 100] [--seconds 20]
        [--concurrency 64] [--n 200] [--burst 2000] [--burst-concurrency 50]
        [--server-arg=--workers=2]

It starts the bot as a separate process (HTTP mode, scheduler off, its Web API calls going to
an in-process fake Slack) and waits for `/healthz` (startup time, idle RSS), then in one run:

1. latency: `--n` requests per verb (`rec N`, `action REF`, `search WORDS`, `mine`, `overdue`)
   one at a time, each followed by one to the same-path floor (bench/floor.py: a minimal Bolt
   app behind uvicorn whose `/ofsted` runs one `SELECT 1`, started beside the bot and sent the
   same signed requests by the same client): p50/p99 per verb and the ratio to the floor;
2. throughput: requests open-loop at `--rate` for `--seconds` (request i is due at start + i/rate
   whatever happened to earlier ones, and its latency is measured from that due time, so a
   server that falls behind is charged for the queue, as Slack would see it), a mix of the
   verbs: p50/p99/max of the ack, how many took over 1 s and over Slack's 3 s, the achieved
   rate, the server's CPU seconds per request (its whole process tree, from /proc);
3. burst: `--burst` requests from `--burst-concurrency` clients at once (closed loop: each
   sends its next when answered), then RSS.

RSS is the whole process tree's (a supervisor and its workers with `--workers`) and the largest
single process's.
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


def rss_mb(root: int) -> tuple[float, float]:
    """The tree's RSS and its largest process's, in MB."""
    sizes = []
    for pid in process_tree(root):
        try:
            sizes.append(int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20)
        except OSError:
            continue
    return sum(sizes), max(sizes, default=0.0)


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


Maker = Callable[[random.Random], str]


def commands_for(url: str) -> tuple[dict[str, Maker], str]:
    database = Database.connect(url)
    targets = current_plan_targets(database)
    numbers, refs, owner = targets.numbers, targets.refs, targets.owner
    database.engine.dispose()
    makers: dict[str, Maker] = {
        "rec N": lambda rng: f"rec {rng.choice(numbers)}",
        "action REF": lambda rng: f"action {rng.choice(refs)}",
        "search WORDS": lambda rng: f"search {rng.choice(WORDS)}",
        "mine": lambda rng: "mine",
        "overdue": lambda rng: "overdue",
    }
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


def start_floor(args: argparse.Namespace, fake: FakeSlack) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bench.floor", "--url", args.url]
    return subprocess.Popen([*command, "--port", str(args.port + 1), "--api-url", fake.base_url])


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


class Client:
    """One keep-alive connection sending signed slash commands."""

    def __init__(self, port: int, fake: FakeSlack) -> None:
        self.port, self.fake = port, fake
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, text: str, user: str) -> int:
        body = slash_command_body(text, user_id=user, response_url=self.fake.response_url())
        try:
            self.connection.request("POST", "/slack/events", body, signed_headers(SECRET, body))
            response = self.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        return response.status


def latency_phase(
    args: argparse.Namespace, fake: FakeSlack, makers: dict[str, Maker], owner: str
) -> dict[str, tuple[list[float], list[float]]]:
    """Per verb: the bot's and the floor's latencies (ms), one request at a time, interleaved."""
    rng = random.Random(args.seed)
    bot, floor = Client(args.port, fake), Client(args.port + 1, fake)
    for make in makers.values():  # warm up: the first search builds its index; caches fill
        for _ in range(10):
            bot.send(make(rng), owner)
            floor.send(make(rng), owner)
    out: dict[str, tuple[list[float], list[float]]] = {}
    for name, make in makers.items():
        mine: list[float] = []
        theirs: list[float] = []
        for _ in range(args.n):
            text = make(rng)
            for client, times in ((bot, mine), (floor, theirs)):
                started = time.perf_counter()
                status = client.send(text, owner)
                times.append((time.perf_counter() - started) * 1000)
                assert status == 200, (name, text, status)
        out[name] = (mine, theirs)
    return out


def open_loop(
    args: argparse.Namespace,
    fake: FakeSlack,
    makers: list[Maker],
    owner: str,
    *,
    total: int,
    rate: float | None,
    concurrency: int,
) -> tuple[Results, float]:
    """Send `total` requests from `concurrency` clients: due at start + i/rate (open loop;
    latency counts from the due time), or all at once when `rate` is None (closed loop, each
    client sending its next as soon as it has an answer; latency counts from the send)."""
    rng = random.Random(args.seed)
    results = Results()
    due: queue.Queue[tuple[float, str] | None] = queue.Queue()

    def client() -> None:
        sender = Client(args.port, fake)
        while (item := due.get()) is not None:
            at, text = item
            at = at if rate else time.perf_counter()  # a burst: from when it is sent
            try:
                status = sender.send(text, owner)
            except (OSError, http.client.HTTPException) as exc:
                sender = Client(args.port, fake)
                results.add(None, type(exc).__name__)
                continue
            results.add(time.perf_counter() - at, None if status == 200 else f"HTTP {status}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    for i in range(total):
        at = started + i / rate if rate else started
        delay = at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        due.put((at, rng.choice(makers)(rng)))
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def summary(results: Results, elapsed: float) -> str:
    latencies = [x * 1000 for x in results.latencies]
    return (
        f"answered {len(latencies)} in {elapsed:.1f} s ({len(latencies) / elapsed:.0f}/s); "
        f"errors {results.errors or 'none'}\n"
        f"  ack ms: p50 {percentile(latencies, 0.5):.0f}, p99 {percentile(latencies, 0.99):.0f}, "
        f"max {max(latencies, default=0):.0f}; over 1 s: {sum(x > 1000 for x in latencies)}, "
        f"over 3 s: {sum(x > 3000 for x in latencies)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL (made by bench/generate.py)")
    parser.add_argument("--rate", type=float, default=100.0, help="commands a second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=64, help="client connections")
    parser.add_argument("--n", type=int, default=200, help="latency phase: requests per verb")
    parser.add_argument("--burst", type=int, default=2000, help="burst phase: requests")
    parser.add_argument("--burst-concurrency", type=int, default=50)
    parser.add_argument("--port", type=int, default=3917, help="the bot's; the floor's is +1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-arg", action="append", default=[], help="passed to `run`")
    args = parser.parse_args()

    makers, owner = commands_for(args.url)
    mix = list(makers.values())
    lines = [f"server: run --http {' '.join(args.server_arg)} on {args.url}"]
    with FakeSlack() as fake:
        server = start_server(args, fake)
        floor: subprocess.Popen[bytes] | None = None
        try:
            startup = wait_healthy(args.port, server)
            time.sleep(0.5)
            idle, idle_max = rss_mb(server.pid)
            floor = start_floor(args, fake)  # after: the bot starts with the machine to itself
            wait_healthy(args.port + 1, floor)
            lines.append(
                f"startup to /healthz: {startup:.2f} s; idle RSS {idle:.0f} MB "
                f"(largest process {idle_max:.0f} MB)"
            )
            verbs = latency_phase(args, fake, makers, owner)
            floor.terminate()
            floor.wait(10)
            lines.append(
                f"latency, one at a time, {args.n} per verb (floor: Bolt + uvicorn + SELECT 1)"
            )
            lines.append(
                f"  {'verb':<14}{'p50 ms':>8}{'p99 ms':>8}{'floor p50':>11}{'floor p99':>11}"
                f"{'p99/floor':>11}"
            )
            for name, (mine, theirs) in verbs.items():
                p99, floor99 = percentile(mine, 0.99), percentile(theirs, 0.99)
                lines.append(
                    f"  {name:<14}{percentile(mine, 0.5):>8.2f}{p99:>8.2f}"
                    f"{percentile(theirs, 0.5):>11.2f}{floor99:>11.2f}{p99 / floor99:>10.1f}×"
                )
            total = int(args.rate * args.seconds)
            cpu_before = cpu_seconds(server.pid)
            results, elapsed = open_loop(
                args, fake, mix, owner, total=total, rate=args.rate, concurrency=args.concurrency
            )
            cpu = cpu_seconds(server.pid) - cpu_before
            lines.append(f"throughput: sent {total} at {args.rate:g}/s over {args.seconds:g} s; ")
            lines[-1] += summary(results, elapsed)
            lines.append(
                f"  server CPU: {cpu / max(len(results.latencies), 1) * 1000:.1f} ms a request "
                f"({cpu:.1f} s)"
            )
            results, elapsed = open_loop(
                args,
                fake,
                mix,
                owner,
                total=args.burst,
                rate=None,
                concurrency=args.burst_concurrency,
            )
            after, after_max = rss_mb(server.pid)
            lines.append(f"burst: {args.burst} at {args.burst_concurrency}-way; ")
            lines[-1] += summary(results, elapsed)
            lines.append(f"  RSS after: {after:.0f} MB (largest process {after_max:.0f} MB)")
        finally:
            for process in (server, floor):
                if process is not None and process.poll() is None:
                    process.terminate()
                    process.wait(10)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
