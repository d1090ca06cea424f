"""Work done after Slack has its answer (in Bolt's lazy listeners), timed and made safe; and the
one way an error becomes an error id the user is told; what an out-of-date button says.

Bolt runs a lazy listener on the app's executor once the ack listener has returned, and only
logs a one-line message if it raises. Here the work is timed like a request, and an error goes
through `report_error`, as an error in an ack listener does (the app's error handler): logged
with an id, and the id told to the user through response_url, when there is one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack
from slack_sdk.webhook import WebhookClient

from commands.errors import logged_error

log = logging.getLogger(__name__)
OUT_OF_DATE_TEXT = "That button is out of date: run the command again."
OUT_OF_DATE: dict[str, Any] = {  # what a button whose value cannot be read answers
    "response_type": "ephemeral",
    "replace_original": False,
    "text": OUT_OF_DATE_TEXT,
}


def acknowledge(ack: Ack) -> None:
    """The ack listener of work done wholly after the ack."""
    ack()


def report_error(what: str, error: BaseException, response_url: str | None) -> None:
    """Log the error under a new id (commands.errors) and tell the user (best effort)."""
    told = logged_error(what, error)
    if response_url:
        try:
            WebhookClient(response_url).send_dict({**told.payload(), "replace_original": False})
        except Exception:  # the error is logged already; nothing more can be done
            log.warning("could not tell the user: %s", told.text)


@contextmanager
def after_the_ack(what: str, response_url: str | None = None) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    except Exception as error:
        report_error(f"{what} (after the ack)", error, response_url)
    finally:
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("%s (after the ack) handled in %.1f ms", what, elapsed)
