"""Bolt's lazy listeners, run after the response in the dispatching thread (console and tests).

In the running bot, work that talks to Slack (confirmations, filling a modal) runs in Bolt lazy
listeners: the ack function does what must be done before Slack hears back (store the update)
and the app answers as soon as it returns, while the lazy listeners run on Bolt's thread pool.
The console and the tests dispatch requests one at a time and want to see what follows each
one before the next; `run_lazy_after_response(app)` makes lazy listeners wait until the
caller, holding the response, calls `run_pending()`. The order is the bot's: the answer to
Slack first, then the lazy work.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.lazy_listener.internals import build_runnable_function
from slack_bolt.lazy_listener.runner import LazyListenerRunner


class AfterResponse(LazyListenerRunner):
    """Keeps each thread's lazy listeners until that thread calls `run_pending()`. Bolt logs
    and swallows a lazy listener's exception; `errors` keeps them for tests to see."""

    def __init__(self, logger: Logger) -> None:
        self.logger = logger
        self._local = threading.local()
        self.errors: list[BaseException] = []

    def _pending(self) -> list[Callable[[], None]]:
        pending: list[Callable[[], None]] | None = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = []
        return pending

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        @functools.wraps(function)
        def noting_errors(*args: Any, **kwargs: Any) -> None:
            try:
                function(*args, **kwargs)
            except Exception as exc:
                self.errors.append(exc)
                raise

        self._pending().append(
            build_runnable_function(func=noting_errors, logger=self.logger, request=request)
        )

    def run_pending(self) -> None:
        pending = self._pending()
        while pending:
            pending.pop(0)()


def run_lazy_after_response(app: App) -> AfterResponse:
    runner = AfterResponse(app.logger)
    app.listener_runner.lazy_listener_runner = runner
    return runner
