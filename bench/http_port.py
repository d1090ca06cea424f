"""The HTTP port under hostile clients: memory under one huge header, connections held by slow
ones (issue 15, "The HTTP port").

Starts `ofsted-bot run --http` (SQLite, no scheduler, Slack tokens made up) from REPO (default:
this checkout; pass another checkout to measure its code) and:

1. sends one request whose single header is --header-mb MB long, then reads the server's
   resident memory (VmHWM, the peak, and VmRSS) from /proc;
2. opens --connections connections that each send half a request head and then nothing, and
   after --hold seconds counts how many the server still holds open.

    .venv/bin/python bench/http_port.py                      # this checkout
    .venv/bin/python bench/http_port.py --repo /path/to/old  # another checkout's code
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def start(repo: Path, port: int, folder: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(repo),
        "DATABASE_URL": f"sqlite:///{folder}/bench.db",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "SCHEDULER": "false",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--http", "--port", str(port)],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def huge_header(port: int, megabytes: int) -> str:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    chunk = b"a" * (1 << 20)
    try:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bench\r\nX-Big: ")
        for _ in range(megabytes):
            sock.sendall(chunk)
        sock.sendall(b"\r\ncontent-length: 0\r\n\r\n")
        answer = sock.recv(100).split(b"\r\n")[0].decode()
    except OSError as exc:
        answer = f"connection closed while sending ({type(exc).__name__})"
    sock.close()
    return answer


def held(port: int, count: int, hold: float) -> int:
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bench\r\n")
        sock.setblocking(False)
        socks.append(sock)
    time.sleep(hold)
    still = 0
    for sock in socks:
        try:
            sock.recv(1024, socket.MSG_PEEK)  # b"" or an answer: the server closed or answered
        except BlockingIOError:
            still += 1  # nothing to read and not closed: still held
        except OSError:
            pass
        sock.close()
    return still


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=ROOT)
    parser.add_argument("--port", type=int, default=3917)
    parser.add_argument("--header-mb", type=int, default=200)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--hold", type=float, default=15.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process = start(args.repo.resolve(), args.port, folder)
        try:
            before = memory_kb(process.pid)
            answer = huge_header(args.port, args.header_mb)
            time.sleep(1)
            after = memory_kb(process.pid)
            print(f"{args.header_mb} MB header: answered {answer!r}")
            print(
                f"  RSS {before['VmRSS'] / 1024:.0f} MB before, {after['VmRSS'] / 1024:.0f} MB "
                f"after, peak {after['VmHWM'] / 1024:.0f} MB "
                f"(+{(after['VmHWM'] - before['VmHWM']) / 1024:.0f} MB)"
            )
            still = held(args.port, args.connections, args.hold)
            print(f"{args.connections} half-sent heads: {still} still held after {args.hold:.0f} s")
        finally:
            process.terminate()
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
