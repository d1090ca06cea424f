"""Bounds on PostgreSQL calls made while Slack waits (a request: an ack within 3 seconds).

A server that is slow is bounded by the server: each connection on the request path has a
`statement_timeout` and a `lock_timeout` (STATEMENT_MS). A network that goes silent is not: the
server never sees the statement, no error ever comes back, and libpq waits as long as TCP does
(with a userspace proxy that stops forwarding, for ever). So every call on the request path (the
pool's ping, each statement, COMMIT, ROLLBACK) is also watched from this side: past its bound
the watchdog shuts the connection's socket, the call fails at once with an OperationalError
(which SQLAlchemy takes as a disconnect, discarding the connection and the pool's older ones)
and the user is told the database is not answering (commands.errors). New connections have
libpq's own `connect_timeout` (2 s, its least).

A COMMIT given up on may still have reached the server: the user is told it failed, and sending
it again is recognised by its request key.
"""

from __future__ import annotations

import functools
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

STATEMENT_MS = 2000  # the server's bound on a statement or a lock wait
CALL_SECONDS = 2.5  # this side's bound on any call (the server's, and a little more)
PING_SECONDS = 1.0  # the pool's check of a connection before it is used
REQUEST_CONNECT_SECONDS = 2  # libpq's least (elsewhere db.session's 10 s)


class Watchdog:
    """Shuts a socket whose call has outlived its deadline (one thread for all calls)."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._armed: dict[int, tuple[float, int]] = {}
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, fd: int) -> int:
        token = next(self._tokens)
        with self._lock:
            self._armed[token] = (time.monotonic() + seconds, fd)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="db-deadline", daemon=True)
                self._thread.start()
            self._lock.notify()
        return token

    def disarm(self, token: int) -> None:
        with self._lock:
            self._armed.pop(token, None)

    def _watch(self) -> None:
        while True:
            with self._lock:
                while not self._armed:
                    self._lock.wait()
                now = time.monotonic()
                due = [t for t, (at, _) in self._armed.items() if at <= now]
                fds = [self._armed.pop(t)[1] for t in due]
                if not fds:
                    self._lock.wait(min(at for at, _ in self._armed.values()) - now)
            for fd in fds:
                _shut(fd)


def _shut(fd: int) -> None:
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # closed meanwhile: nothing to stop
        pass


WATCHDOG = Watchdog()


def _watched(method: Callable[..., Any], seconds: float, fd_of: Callable[[Any], int]) -> Any:
    @functools.wraps(method)
    def call(first: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            fd = fd_of(first)
        except Exception:  # no socket to watch (closed already): the call says so itself
            return method(first, *args, **kwargs)
        token = WATCHDOG.arm(seconds, fd)
        try:
            return method(first, *args, **kwargs)
        finally:
            WATCHDOG.disarm(token)

    return call


def _set_timeouts(dbapi_connection: Any, _record: object) -> None:
    token = WATCHDOG.arm(CALL_SECONDS, int(dbapi_connection.fileno()))
    try:
        _set(dbapi_connection)
    finally:
        WATCHDOG.disarm(token)


def _set(dbapi_connection: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {STATEMENT_MS}")
        cursor.execute(f"SET lock_timeout = {STATEMENT_MS}")
    dbapi_connection.commit()


def bound_for_requests(engine: Engine) -> Engine:
    """Give a PostgreSQL engine used only on the request path its bounds (see above)."""
    dialect: Any = engine.dialect

    def of_connection(connection: Any) -> int:
        return int(connection.fileno())

    def of_cursor(cursor: Any) -> int:
        return int(cursor.connection.fileno())

    dialect.do_ping = _watched(dialect.do_ping, PING_SECONDS, of_connection)
    dialect.do_commit = _watched(dialect.do_commit, CALL_SECONDS, of_connection)
    dialect.do_rollback = _watched(dialect.do_rollback, CALL_SECONDS, of_connection)
    for name in ("do_execute", "do_execute_no_params", "do_executemany"):
        setattr(dialect, name, _watched(getattr(dialect, name), CALL_SECONDS, of_cursor))
    event.listen(engine, "connect", _set_timeouts)
    return engine
