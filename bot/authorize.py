"""Who the bot is, for Bolt: its own token, and its ids from `auth.test` once Slack answers.

Bolt's default for a single workspace calls `auth.test` on the first request and, while Slack
is unreachable, answers every request with an error, though a lookup needs nothing from Slack.
Here a failed `auth.test` is logged and the request goes on with the token alone (no bot ids);
it is asked again at most every `RETRY` seconds, with a short timeout and no retries, so an
outage costs an ack little time.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
RETRY = 30.0  # seconds between asking a Slack that did not answer
TIMEOUT = 2  # seconds: Slack wants the ack within 3


class OwnTokenAuthorize(Authorize):
    def __init__(self, client: WebClient) -> None:
        self.token = client.token
        self.probe = WebClient(token=client.token, base_url=client.base_url, timeout=TIMEOUT)
        self.known: AuthorizeResult | None = None
        self.next_try = 0.0
        self.lock = threading.Lock()

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: Any,
    ) -> AuthorizeResult:
        if self.known is not None:
            return self.known
        with self.lock:
            if self.known is None and time.monotonic() >= self.next_try:
                try:
                    self.known = AuthorizeResult.from_auth_test_response(
                        bot_token=self.token, auth_test_response=self.probe.auth_test()
                    )
                except (SlackApiError, OSError) as exc:
                    self.next_try = time.monotonic() + RETRY
                    reason = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
                    log.warning("Slack's auth.test failed (%s): going on without it", reason)
        return self.known or AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, bot_token=self.token
        )
