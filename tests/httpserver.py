"""Serving an ASGI app with uvicorn on a free port in a thread, and posting to it."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def serving(asgi: Any, **options: Any) -> Iterator[str]:
    """Run `asgi` under uvicorn, with the settings HTTP mode serves with (bot.port), until the
    block ends; yields its base URL."""
    import uvicorn

    from bot.port import uvicorn_options

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(asgi, **uvicorn_options(log_level="warning", lifespan="off", **options))
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


def post(
    url: str, body: str | bytes, headers: dict[str, str], *, timeout: float = 10
) -> tuple[int, str]:
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
