"""Is a request from Slack? The signature check, safe on any input, and quiet about what it
refuses.

Slack signs each request: `X-Slack-Signature` is `v0=` HMAC-SHA256 (signing secret) of
`v0:{X-Slack-Request-Timestamp}:{body}`. Anything else (no headers, a timestamp that is not a
whole number, a signature with odd characters, a body that is not UTF-8, a timestamp more than
five minutes off) is simply not signed: the answer is False, never an exception. A refused
body is never logged (only its size), so a large forged body cannot flood the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware.request_verification import RequestVerification
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Slack's requests are a few kB; refuse anything over 1 MB
_MAX_TIMESTAMP_DIGITS = 12


def is_signed(
    verifier: SignatureVerifier, body: bytes | str, timestamp: str | None, signature: str | None
) -> bool:
    """Whether `body` carries a valid, current Slack signature (False for anything malformed)."""
    if not timestamp or not signature or not signature.isascii():
        return False  # hmac.compare_digest raises on non-ASCII strings
    if not (
        timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS
    ):
        return False  # "abc", "1.5", "", "-5", "²": int() would raise or mislead
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            return False  # Slack sends UTF-8; the verifier would raise on anything else
    return verifier.is_valid(body, timestamp, signature)


def refused(reason: str, size: int | None = None) -> None:
    """Log a refusal: the reason and the size, never the body."""
    read = f"{size} bytes, not logged" if size is not None else "body not read"
    log.info("refused a request to /slack/events: %s (%s)", reason, read)


class QuietRequestVerification(RequestVerification):
    """Bolt's signature check, without its two faults: a non-integer timestamp raised (a 500
    and the error handler answering the request's own response_url), and a refused body was
    logged whole at INFO."""

    def __init__(self, signing_secret: str) -> None:
        super().__init__(signing_secret)

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if self._can_skip(req.mode, req.body):
            return next()
        timestamp = (req.headers.get("x-slack-request-timestamp") or [""])[0]
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        if is_signed(self.verifier, req.raw_body, timestamp, signature):
            return next()
        refused("bad or missing signature", len(req.raw_body))
        return self._build_error_response()
