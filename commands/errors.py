"""The one way an error becomes an error id: logged under a new id with its traceback, and the
reply that tells the user the id (never the traceback). The router uses it for a verb that
fails; the app's error handler and the work after the ack (bot.listeners.later) for the rest."""

from __future__ import annotations

import logging
import uuid

from commands.views.common import Reply
from commands.views.help import internal_error_view

log = logging.getLogger(__name__)


def logged_error(what: str, error: BaseException) -> Reply:
    """Log `error` (in `what`) under a new id; what to tell the user."""
    error_id = uuid.uuid4().hex[:8]
    log.error("error %s in %s: %r", error_id, what, error, exc_info=error)
    return internal_error_view(error_id)
