"""`ofsted-bot console`: the real bot with no Slack at all.

Each `/ofsted …` line is sent as a signed slash-command request through the real Bolt app
(signature checks included); the bot's Web API calls and `response_url` posts go to an
in-process fake of the Slack Web API, and what Slack would show is printed here.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import SecretStr
from slack_bolt import BoltRequest

from bot.app import build_app, make_client
from bot.console_intro import HELP, first_holder, first_run_notes
from bot.devtools import console_render
from bot.devtools.console_render import form_value, initial_values, render, render_view
from bot.devtools.fakeslack import Call, FakeSlack
from bot.devtools.slack_requests import (
    block_actions_body,
    event_body,
    message_change_event,
    message_event,
    signed_headers,
    slack_wire,
    slash_command_body,
    view_submission_body,
)
from bot.lazy import run_lazy_after_response
from bot.settings import Settings
from db.database import Database
from db.posts import posts_with_holders, set_post_holder

CONSOLE_USER = "U0CONSOLE"
CHANNEL = "C0CONSOLE"


class Console:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        out: TextIO | None = None,
        colour: bool | None = None,
        user_id: str | None = None,
        own_database: bool = False,  # the console's own, not DATABASE_URL's (console_intro)
    ) -> None:
        self.out = out or sys.stdout  # looked up now, not when the module was imported
        self.colour = (
            (self.out.isatty() and "NO_COLOR" not in os.environ) if colour is None else colour
        )
        self.database = database
        self.fake = FakeSlack(on_call=self._show_call).start()
        self.secret = secrets.token_hex(16)
        self.settings = settings.model_copy(
            update={
                "slack_api_url": self.fake.base_url,
                "slack_signing_secret": SecretStr(self.secret),
                "slack_bot_token": SecretStr("xoxb-console"),
                "send_interval": 0.0,
            }
        )
        self.client = client = make_client(self.settings, token="xoxb-console")  # noqa: S106
        self.clock: datetime | None = None  # None: the real time; `:time` moves it
        self.app = build_app(
            self.settings, database, client=client, clock=lambda: self.clock or datetime.now(UTC)
        )
        self.lazy = run_lazy_after_response(self.app)
        self.user_id = user_id or first_holder(database) or CONSOLE_USER
        self.fake.add_user(CONSOLE_USER, console_render.names.setdefault(CONSOLE_USER, "You"))
        self.notes, self.clock = first_run_notes(
            database, self.settings, self.user_id, own=own_database, chosen=user_id is not None
        )
        self.buttons: list[dict[str, Any]] = []
        self.thread: tuple[str, str] | None = None  # (channel, ts) of the bot's last message
        self.mine: dict[str, str] | None = None  # the user's last message
        self.modal: dict[str, Any] | None = None
        self.filled: dict[str, dict[str, Any]] = {}

    def close(self) -> None:
        self.fake.stop()

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _show(self, title: str, payload: dict[str, Any]) -> None:
        shown = render(payload, colour=self.colour)
        self.say(f"\n── {title} ──")
        self.say(shown.text)
        if shown.buttons:
            self.buttons = shown.buttons
            self.say("   (`:press N` presses a button)")

    def _show_call(self, call: Call) -> None:
        if (
            call.method == "chat.postMessage"
            and call.response.get("ok")
            and not call.args.get("thread_ts")
        ):
            self.thread = (call.response["channel"], call.response["ts"])
        if call.method in {"views.open", "views.push", "views.update"} and call.response.get("ok"):
            self.modal, self.filled = call.response["view"], {}
            inputs = [b for b in self.modal.get("blocks", []) if b.get("type") == "input"]
            if call.method == "views.open" and not inputs:
                return  # opened at once to be filled in by views.update: shown then
            self.say("\n── a form opened ──")
            self.say(render_view(self.modal, colour=self.colour).text)
            self.say("   (`:fill ID VALUE` for each field, then `:submit`)")
            return
        if call.method == "views.publish" and call.response.get("ok"):
            shown = render_view(call.args["view"], colour=self.colour)
            self.say("\n── App Home ──\n" + shown.text)
            self.buttons = shown.buttons or self.buttons
            return
        if call.method == "reactions.add":
            self.say(f"   (ofsted-bot reacted :{call.args.get('name')}: to your message)")
            return
        if call.method == "response_url":
            where = (
                "posted in the channel"
                if call.args.get("response_type") == "in_channel"
                else "only visible to you"
            )
            self._show(f"ofsted-bot ({where})", call.args)
        elif call.method in {"chat.postMessage", "chat.postEphemeral", "chat.update"}:
            channel = str(call.args.get("channel", "?"))
            if channel[:1] in {"U", "D"}:
                person = channel.removeprefix("D")
                channel = (
                    "your direct messages"
                    if person == self.user_id
                    else f"direct messages of {person}"
                )
            private = " (only visible to you)" if call.method == "chat.postEphemeral" else ""
            self._show(f"ofsted-bot in {channel}{private}", call.args)
        elif not call.response.get("ok", True):
            self.say(f"   (Slack refused {call.method}: {call.response.get('error')})")

    def _dispatch(
        self,
        body: str,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> dict[str, Any] | None:
        headers: dict[str, str | Sequence[str]] = dict(
            signed_headers(self.secret, body, content_type=content_type)
        )
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        answer: dict[str, Any] | None = None
        if response.status != 200:
            self.say(f"   (the app answered HTTP {response.status}: {response.body[:200]})")
        else:
            answer = json.loads(response.body) if response.body else None
            if answer and ("blocks" in answer or "text" in answer):
                self._show("ofsted-bot (only visible to you)", answer)
        self.lazy.run_pending()  # what the bot does after answering, before the next prompt
        return answer

    def slash(self, text: str) -> None:
        self._dispatch(
            slash_command_body(text, user_id=self.user_id, response_url=self.fake.response_url())
        )

    def press(self, number: str) -> None:
        if not number.isdigit() or not 1 <= int(number) <= len(self.buttons):
            self.say(f"   There is no button {number}: the last message had {len(self.buttons)}.")
            return
        element = self.buttons[int(number) - 1]
        action = {
            "type": "button",
            "action_id": element["action_id"],
            "block_id": element.get("block_id", "b"),
            "text": element["text"],
            "value": element.get("value", ""),
        }
        self._dispatch(
            block_actions_body(action, user_id=self.user_id, response_url=self.fake.response_url())
        )

    def _event(self, event: dict[str, Any], kind: str = "message") -> None:
        self._dispatch(
            event_body({**event, "type": kind} if kind != "message" else event),
            content_type="application/json",
        )

    def send_message(self, text: str, how: str) -> None:
        ts = f"{time.time():.6f}"
        if how == "reply" and self.thread is None:
            self.say(
                "   The bot has not posted a message yet: share one (e.g. `/ofsted action 4.1 "
                "share`) or wait for a nudge."
            )
            return
        channel, thread = (
            self.thread
            if how == "reply" and self.thread
            else (f"D{self.user_id}" if how == "dm" else CHANNEL, None)
        )
        text = slack_wire(text)  # as Slack's client sends what was typed
        text = f"<@UBOT> {text}" if how == "mention" else text
        event = message_event(
            user_id=self.user_id,
            channel=channel,
            text=text,
            ts=ts,
            thread_ts=thread,
            channel_type="im" if how == "dm" else "channel",
        )
        self.mine = {
            "channel": channel,
            "ts": ts,
            "text": text,
            **({"thread_ts": thread} if thread else {}),
        }
        self._event(event, "app_mention" if how == "mention" else "message")

    def change_mine(self, text: str | None) -> None:
        if self.mine is None:
            self.say("   You have not sent a message yet (`:reply`, `:mention`, `:dm`).")
            return
        mine, ts = self.mine, f"{time.time():.6f}"
        text = slack_wire(text) if text is not None else None
        thread = self.fake.messages(mine["channel"], mine["ts"])
        replies = sum(1 for m in thread if m.get("thread_ts") == mine["ts"] != m["ts"])
        event = message_change_event(
            user_id=self.user_id, sent=mine, text=text, ts=ts, replies=replies
        )
        if text is None:
            self.mine = None
        else:
            mine["text"] = text
        self._event(event)

    def fill(self, rest: str) -> None:
        block_id, _, value = rest.partition(" ")
        blocks = {
            b.get("block_id"): b
            for b in (self.modal or {}).get("blocks", [])
            if b.get("type") == "input"
        }
        if block_id not in blocks:
            self.say(f"   No field {block_id!r}; the form has: {', '.join(map(str, blocks))}.")
            return
        self.filled[block_id] = form_value(blocks[block_id], value.strip())
        self.say(f"   {block_id} = {value}")

    def submit(self) -> None:
        if self.modal is None:
            self.say("   No form is open.")
            return
        values = {**initial_values(self.modal), **self.filled}
        answer = self._dispatch(view_submission_body(self.modal, values, user_id=self.user_id))
        if answer and answer.get("response_action") == "errors":
            for block_id, error in answer["errors"].items():
                self.say(f"   ✗ {block_id}: {error}")
            return
        if answer and answer.get("response_action") == "update":  # the form says what it did
            self.modal, self.filled = answer["view"], {}
            self.say(render_view(self.modal, colour=self.colour).text)
            return
        self.modal = None
        self.say("   (the form closed)")

    def set_time(self, text: str) -> None:
        if text.strip().lower() == "now":
            self.clock = None
            self.say("   The console's clock is the real time again.")
            return
        try:
            local = datetime.fromisoformat(text.strip().replace(" ", "T"))
        except ValueError:
            self.say("   Give a time like `:time 2022-10-05 09:00` (UK time).")
            return
        if local.tzinfo is None:
            local = local.replace(tzinfo=self.settings.tz)
        self.clock = local.astimezone(UTC)
        self.say(
            f"   The console's clock is now {local:%A %-d %b %Y %H:%M %Z}. `:tick` runs the "
            "reminders and digests due then."
        )

    def tick(self) -> None:
        from bot.outbox import tick

        now = self.clock or datetime.now(UTC)
        report = tick(self.database, self.client, self.settings, now)
        self.say(f"   tick at {now.astimezone(self.settings.tz):%a %-d %b %Y %H:%M}: {report}")

    def home(self) -> None:
        self._event(
            {
                "type": "app_home_opened",
                "user": self.user_id,
                "tab": "home",
                "channel": f"D{self.user_id}",
                "event_ts": f"{time.time():.6f}",
            },
            "app_home_opened",
        )

    def own(self, post: str) -> None:
        try:
            with self.database.writes.begin() as session:
                title = set_post_holder(session, post, self.user_id).title
        except LookupError:
            self.say(f"   No post {post!r}: `:posts` lists them.")
            return
        self.say(f"   {self.user_id} now holds the post {title}.")

    def posts(self) -> None:
        with self.database.sessions() as session:
            for post in posts_with_holders(session):
                holder = post.holder.slack_user_id if post.holder else "-"
                self.say(f"   {post.key:<40} {holder:<12} {post.title}")

    def run_line(self, line: str) -> bool:
        """Handle one line; False when the console should end."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word in {":quit", ":q", ":exit"}:
            return False
        actions: dict[str, Callable[[], None]] = {
            ":press": lambda: self.press(rest),
            ":user": lambda: self._set_user(rest),
            ":own": lambda: self.own(rest),
            ":posts": self.posts,
            ":reply": lambda: self.send_message(rest, "reply"),
            ":mention": lambda: self.send_message(rest, "mention"),
            ":dm": lambda: self.send_message(rest, "dm"),
            ":edit": lambda: self.change_mine(rest),
            ":delete": lambda: self.change_mine(None),
            ":fill": lambda: self.fill(rest),
            ":submit": self.submit,
            ":cancel": lambda: setattr(self, "modal", None),
            ":home": self.home,
            ":time": lambda: self.set_time(rest),
            ":tick": self.tick,
            ":help": lambda: self.say(HELP.format(user=self.user_id)),
        }
        if word in actions:
            actions[word]()
        elif word.startswith(":"):
            self.say(f"   Unknown console command {word}; `:help` lists them.")
        elif word == "/ofsted" or word == "ofsted":
            self.slash(rest)
        elif word.startswith("/"):
            self.say(f"   Only /ofsted is installed here, not {word}.")
        else:
            self.slash(line)
        return True

    def _set_user(self, user: str) -> None:
        if not user or not user.isalnum():
            self.say(f"   Acting as {self.user_id}. Give a Slack user id, e.g. `:user U0SAM`.")
            return
        self.user_id = user.upper()
        self.say(f"   Now acting as {self.user_id}.")

    def run(self, lines: Iterable[str] | None = None) -> None:
        for note in self.notes:  # said once, before anything else
            self.say(note)
        if lines is not None:
            for line in lines:
                self.say(f"\n> {line}")
                if not self.run_line(line):
                    break
            return
        self.say(
            f"ofsted-bot console: no Slack needed. Acting as {self.user_id}. "
            "Try /ofsted rec 4, /ofsted help, :help"
        )
        while True:
            try:
                line = input(f"{self.user_id}> ")
            except (EOFError, KeyboardInterrupt):
                self.say("")
                return
            if not self.run_line(line):
                return
