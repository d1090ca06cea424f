"""Sending Slack's requests to the Bolt app as Slack does: signed, in Slack's own shapes.

The payload shapes come from the fixture files in fixtures/slack; each request is signed with
the signing secret and dispatched through the real app (or sent over HTTP by the HTTP tests).
Every answer is checked against Slack's Block Kit limits.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest
from slack_sdk.models.blocks import Block

from bot.devtools import slack_requests
from bot.devtools.block_limits import message_problems
from bot.devtools.fakeslack import Call, FakeSlack
from bot.devtools.slack_requests import message_change_event, signed_headers
from bot.lazy import run_lazy_after_response

FIXTURES = Path(__file__).parent / "fixtures" / "slack"
SECRET = "test-signing-secret"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    data.pop("_comment", None)
    return data


def slash_body(text: str, *, user: str, channel: str, response_url: str) -> str:
    fields = fixture("slash_command.json")
    fields.update(
        text=text,
        user_id=user,
        user_name=user.lower(),
        channel_id=channel,
        response_url=response_url,
        trigger_id=f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}",
    )
    return urlencode(fields)


def press_body(element: dict[str, Any], *, user: str, channel: str, response_url: str) -> str:
    payload = fixture("block_actions.json")
    payload["user"].update(id=user, username=user.lower(), name=user.lower())
    payload["channel"]["id"] = payload["container"]["channel_id"] = channel
    payload["response_url"] = response_url
    payload["actions"] = [
        {
            **payload["actions"][0],
            "action_id": element["action_id"],
            "text": element["text"],
            "value": element.get("value", ""),
        }
    ]
    return urlencode({"payload": json.dumps(payload)})


@dataclass
class Answer:
    """What the user saw: the HTTP answer to the request, and anything sent after it."""

    status: int
    body: dict[str, Any] | None
    later: list[Call] = field(default_factory=list)
    answered: int = 0  # how many of `later` came before the app answered the request

    @property
    def before_answer(self) -> list[Call]:
        """The Web API calls made before the app answered (while Slack waited)."""
        return self.later[: self.answered]

    @property
    def messages(self) -> list[dict[str, Any]]:
        shown = [self.body] if self.body and ("blocks" in self.body or "text" in self.body) else []
        return shown + [
            c.args
            for c in self.later
            if c.method in {"response_url", "chat.postMessage", "chat.postEphemeral"}
        ]

    @property
    def message(self) -> dict[str, Any]:
        assert self.messages, f"no message was shown (status {self.status})"
        return self.messages[-1]

    @property
    def text(self) -> str:
        """Everything the last message shows, as one string (for assertions on content)."""
        return json.dumps(self.message, ensure_ascii=False)

    def buttons(self) -> list[dict[str, Any]]:
        found = []
        for block in self.message.get("blocks", []):
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                found.append(element)
        return found

    def button(self, label: str) -> dict[str, Any]:
        for element in self.buttons():
            if element["text"]["text"].startswith(label):
                return element
        raise AssertionError(
            f"no button {label!r} in {[b['text']['text'] for b in self.buttons()]}"
        )


def assert_slack_sdk_blocks(message: dict[str, Any]) -> None:
    """Each block of a message parses into slack_sdk's models, validates (`to_dict()` runs
    their validators) and comes out unchanged. The app builds Slack's JSON without validating it
    on the request path (commands/views/kit.py, plain.py); this is where it is validated."""
    blocks = message.get("blocks")
    if isinstance(blocks, str):  # a response_url or Web API call may carry them as JSON
        blocks = json.loads(blocks)
    for block in blocks or []:
        parsed = Block.parse(block)
        assert parsed is not None, block
        assert parsed.to_dict() == block, block


def stale() -> int:
    return int(time.time()) - 60 * 10


def event_body(name: str, *, event_id: str | None = None, **fields: Any) -> str:
    """An Events API envelope from a fixture file, with event fields replaced."""
    envelope = fixture(name)
    envelope["event"].update(fields)
    envelope["event_id"] = event_id or f"Ev{uuid.uuid4().hex[:12].upper()}"
    return json.dumps(envelope)


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


class Driver:
    """The Bolt app driven as Slack drives it: signed slash commands, button presses, events,
    modals and shortcuts; each answer with the Web API calls made (the fake's), and every
    message checked against Slack's limits and slack_sdk's block models."""

    def __init__(self, app: App, fake: FakeSlack) -> None:
        self.app = app
        self.fake = fake
        self.lazy = run_lazy_after_response(app)  # lazy listeners run once the app answered

    def send(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        secret: str = SECRET,
        extra_headers: dict[str, str] | None = None,
    ) -> Answer:
        before = len(self.fake.calls)
        headers = signed_headers(secret, body, timestamp=timestamp, content_type=content_type)
        headers.update(extra_headers or {})
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        answered = len(self.fake.calls) - before
        self.lazy.run_pending()
        assert self.lazy.errors == [], self.lazy.errors
        parsed = json.loads(response.body) if response.body.startswith("{") else None
        answer = Answer(response.status, parsed, self.fake.calls[before:], answered)
        for message in answer.messages:
            assert message_problems(message) == [], message_problems(message)
            assert_slack_sdk_blocks(message)
        return answer

    def command(
        self, text: str, *, user: str = "U0PRACT", channel: str = "C0PRACTICE", **kwargs: Any
    ) -> Answer:
        body = slash_body(text, user=user, channel=channel, response_url=self.fake.response_url())
        return self.send(body, **kwargs)

    def press_on(
        self, message: dict[str, Any], channel: str, element: dict[str, Any], *, user: str
    ) -> Answer:
        """Press a button in a message the app posted (as the fake holds it): Slack sends the
        message along, and its response_url is for that message."""
        channel = "D" + channel if channel[:1] in ("U", "W") else channel
        payload = fixture("block_actions_message.json")
        payload["user"].update(id=user, username=user.lower(), name=user.lower())
        payload["channel"]["id"] = channel
        payload["container"].update(channel_id=channel, message_ts=message["ts"])
        if message.get("thread_ts", message["ts"]) != message["ts"]:
            payload["container"]["thread_ts"] = message["thread_ts"]
        else:
            payload["container"].pop("thread_ts", None)
        payload["message"] = {**payload["message"], **message}
        payload["response_url"] = self.fake.response_url(channel=channel, ts=message["ts"])
        payload["actions"] = [
            {
                **payload["actions"][0],
                "action_id": element["action_id"],
                "text": element["text"],
                "value": element.get("value", ""),
            }
        ]
        return self.send(urlencode({"payload": json.dumps(payload)}))

    def press(
        self, element: dict[str, Any], *, user: str = "U0PRACT", channel: str = "C0PRACTICE"
    ) -> Answer:
        body = press_body(
            element, user=user, channel=channel, response_url=self.fake.response_url()
        )
        return self.send(body)

    def event(
        self, name: str, *, retry: int | None = None, event_id: str | None = None, **fields: Any
    ) -> Answer:
        """An event as Slack sends it; a message from a channel the bot is not in, Slack does
        not send (status 0, nothing dispatched)."""
        event = {**fixture(name)["event"], **fields}
        channel = str(event.get("channel") or "")
        in_a_channel = event.get("type") in ("message", "app_mention") and channel[:1] in "CG"
        if in_a_channel and not self.fake.delivers_events(channel):
            return Answer(0, None)
        headers = (
            {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
            if retry
            else None
        )
        return self.send(
            event_body(name, event_id=event_id, **fields),
            content_type="application/json",
            extra_headers=headers,
        )

    def raw_event(self, event: dict[str, Any]) -> Answer:
        """An event (not from a fixture file) in its Events API envelope."""
        return self.send(slack_requests.event_body(event), content_type="application/json")

    def replies_to(self, channel: str, ts: str) -> int:
        """How many replies the fake holds in the thread of a message."""
        thread = self.fake.messages(channel, ts)
        return sum(1 for m in thread if m["ts"] != ts and m.get("thread_ts") == ts)

    def edit(self, sent: dict[str, Any], text: str, *, user: str = "U0CP") -> Answer:
        """`user` edits their message `sent` (channel, ts, text, maybe thread_ts) to `text`."""
        ts = f"{time.time():.6f}"
        return self.raw_event(message_change_event(user_id=user, sent=sent, text=text, ts=ts))

    def delete(self, sent: dict[str, Any], *, user: str = "U0CP") -> Answer:
        """`user` deletes their message `sent`, as Slack reports it: message_deleted, or, when
        the message has replies (the bot answered in its thread), message_changed to a
        tombstone."""
        replies = self.replies_to(sent["channel"], sent["ts"])
        event = message_change_event(
            user_id=user, sent=sent, text=None, ts=f"{time.time():.6f}", replies=replies
        )
        return self.raw_event(event)

    def opened_view(self) -> dict[str, Any]:
        """The modal as it was last opened or filled in, with the id Slack gave it."""
        opened = [c for c in self.fake.calls if c.method in ("views.open", "views.update")]
        assert opened, "no modal was opened"
        view: dict[str, Any] = opened[-1].args["view"]
        return {**view, "id": opened[-1].response.get("view", {}).get("id", "V0MODAL")}

    def submit(
        self, view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str = "U0CP"
    ) -> Answer:
        payload = fixture("view_submission.json")
        payload["user"].update(id=user, username=user.lower(), name=user.lower())
        payload["view"].update(
            id=view.get("id", payload["view"]["id"]),
            blocks=view["blocks"],
            callback_id=view["callback_id"],
            private_metadata=view.get("private_metadata", ""),
            state={"values": {k: {"value": v} for k, v in values.items()}},
        )
        return self.send(interaction_body(payload))

    def shortcut(
        self,
        *,
        user: str = "U0CP",
        text: str,
        ts: str = "1700000450.000600",
        channel: str = "C0TEAM",
    ) -> Answer:
        payload = fixture("message_action.json")
        payload["user"].update(id=user)
        payload["channel"]["id"] = channel
        payload["message"].update(text=text, ts=ts, user=user)
        payload["message_ts"] = ts
        return self.send(interaction_body(payload))


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)
