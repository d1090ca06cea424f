"""The one way an error becomes an error id: logged under a new id with its traceback, and the
reply that tells the user the id (never the traceback). The router uses it for a verb that
fails; the app's error handler and the work after the ack (bot.listeners.later) for the rest."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from commands.views.help import database_down_view, internal_error_view
from commands.views.kit import Reply

log = logging.getLogger(__name__)


def unreachable(error: BaseException) -> bool:
    """The database did not answer: a connection lost mid-call (db.deadline closes a silent
    one) or one that could not be made; not a statement that failed."""
    return isinstance(error, DBAPIError) and (
        error.connection_invalidated
        or (isinstance(error, OperationalError | InterfaceError) and error.statement is None)
    )


def logged_error(what: str, error: BaseException) -> Reply:
    """Log `error` (in `what`) under a new id; what to tell the user. The database not
    answering (db.deadline gave up, or it cannot be reached) is one line, and said so."""
    error_id = uuid.uuid4().hex[:8]
    if isinstance(error, DBAPIError) and unreachable(error):
        reason = str(error.orig or error).strip().splitlines()
        log.error(
            "error %s in %s: the database is not answering (%s)",
            error_id,
            what,
            reason[0][:200] if reason else type(error).__name__,
        )
        return database_down_view(error_id)
    log.error("error %s in %s: %r", error_id, what, error, exc_info=error)
    return internal_error_view(error_id)
