"""Where the work after the ack (Bolt's lazy listeners) runs in the running bot: opening a form
in a lane of its own, and a wait for Slack's `Retry-After` outside the work's slots.

A trigger id lives 3 seconds, so a form must open whatever else is queued: the lazy listeners
marked `urgent` (opening the update form) run on FORM_WORKERS threads no other work uses, and
their `views.open` neither waits out a 429 nor waits long for Slack (bot.listeners.update_form).

Everything else runs at most WORK_SLOTS at a time. A call that Slack answers with 429 waits
its `Retry-After` (slack_sdk's retry handler, here `PatientRateLimitHandler`) having given up
its slot, so twenty confirmations waiting 20 seconds each do not stop the next lookup, share
or Home tab; the thread waits and then takes a slot again to carry on where it was (no call is
repeated). THREADS bounds the threads, working and waiting together.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from logging import Logger

from slack_bolt import BoltRequest
from slack_bolt.lazy_listener.internals import build_runnable_function
from slack_bolt.lazy_listener.runner import LazyListenerRunner
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

FORM_WORKERS = 4
WORK_SLOTS = 16
THREADS = 64
_URGENT: set[Callable[..., None]] = set()
_here = threading.local()  # the lanes whose slot this thread holds, if any


def urgent(function: Callable[..., None]) -> Callable[..., None]:
    """Mark a lazy listener as one that must start at once (it opens a form)."""
    _URGENT.add(function)
    return function


class Lanes(LazyListenerRunner):
    """Bolt's lazy listener runner with a lane for forms and slots given up while waiting."""

    def __init__(self, logger: Logger) -> None:
        self.logger = logger
        self.work = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="ofsted-lazy")
        self.forms = ThreadPoolExecutor(max_workers=FORM_WORKERS, thread_name_prefix="ofsted-form")
        self.slots = threading.BoundedSemaphore(WORK_SLOTS)
        self.stopping = threading.Event()

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        runnable = build_runnable_function(func=function, logger=self.logger, request=request)
        if function in _URGENT:
            self.forms.submit(runnable)
        else:
            self.work.submit(self._in_a_slot, runnable)

    def _in_a_slot(self, runnable: Callable[[], None]) -> None:
        with self.slots:
            _here.lanes = self
            try:
                runnable()
            finally:
                _here.lanes = None

    def shutdown(self) -> None:
        """Stop waiting out 429s (what waits carries on at once) and let the work finish."""
        self.stopping.set()
        self.forms.shutdown(wait=True)
        self.work.shutdown(wait=True)


def wait_out(seconds: float) -> None:
    """Sleep; a thread holding a work slot gives it up meanwhile."""
    lanes: Lanes | None = getattr(_here, "lanes", None)
    if lanes is None:
        time.sleep(seconds)
        return
    lanes.slots.release()
    try:
        lanes.stopping.wait(seconds)
    finally:
        lanes.slots.acquire()


class PatientRateLimitHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (wait `Retry-After`, then again), waiting outside the slots."""

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        wait_out(retry_after(response) + random.random())  # noqa: S311 (jitter, not a secret)
        state.increment_current_attempt()


def retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return float(values[0])
            except ValueError:
                break
    return 1.0
