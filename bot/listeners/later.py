"""Work done after Slack has its answer (in Bolt's lazy listeners), timed and made safe.

Bolt runs a lazy listener on the app's executor once the ack listener has returned, and only
logs a one-line message if it raises. Here the work is timed like a request, and an error is
logged with an id that the user is told (through response_url, when there is one), as the
app's error handler does for the ack.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from slack_bolt import Respond

from commands.views.help import internal_error_view

log = logging.getLogger(__name__)


@contextmanager
def after_the_ack(what: str, respond: Respond | None = None) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        log.exception("error %s in %s (after the ack)", error_id, what)
        if respond is not None and respond.response_url:
            with suppress(Exception):  # the error is logged already; nothing more can be done
                respond(**internal_error_view(error_id).payload(), replace_original=False)
    finally:
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("%s (after the ack) handled in %.1f ms", what, elapsed)
