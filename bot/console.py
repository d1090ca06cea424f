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
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from pydantic import SecretStr
from slack_bolt import BoltRequest

from bot.app import build_app, make_client
from bot.console_render import render
from bot.fakeslack import Call, FakeSlack
from bot.settings import Settings
from bot.slack_requests import block_actions_body, signed_headers, slash_command_body
from db.database import Database
from db.queries import posts_with_holders, set_post_holder

CONSOLE_USER = "U0CONSOLE"
HELP = """\
Type what you would type in Slack:   /ofsted rec 4    /ofsted mine    /ofsted help
Console commands:
  :press N        press button N of the last message
  :user U123      act as another Slack user (now: {user})
  :own POST       make the current user hold a post (as `ofsted-bot owners set` does)
  :posts          who holds which post
  :help           this text          :quit   leave (or Ctrl-D)"""


class Console:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        out: TextIO = sys.stdout,
        colour: bool | None = None,
        user_id: str | None = None,
    ) -> None:
        self.out = out
        self.colour = (out.isatty() and "NO_COLOR" not in os.environ) if colour is None else colour
        self.database = database
        self.fake = FakeSlack(on_call=self._show_call).start()
        self.secret = secrets.token_hex(16)
        self.settings = settings.model_copy(
            update={
                "slack_api_url": self.fake.base_url,
                "slack_signing_secret": SecretStr(self.secret),
                "slack_bot_token": SecretStr("xoxb-console"),
            }
        )
        client = make_client(self.settings, token="xoxb-console")  # noqa: S106 (the fake accepts any)
        self.app = build_app(self.settings, database, client=client, process_before_response=True)
        self.user_id = user_id or self._first_holder() or CONSOLE_USER
        self.buttons: list[dict[str, Any]] = []

    def close(self) -> None:
        self.fake.stop()

    def _first_holder(self) -> str | None:
        with self.database.sessions() as session:
            holders = [p.holder.slack_user_id for p in posts_with_holders(session) if p.holder]
        return holders[0] if holders else None

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
        if call.method == "response_url":
            where = (
                "posted in the channel"
                if call.args.get("response_type") == "in_channel"
                else "only visible to you"
            )
            self._show(f"ofsted-bot ({where})", call.args)
        elif call.method in {"chat.postMessage", "chat.postEphemeral", "chat.update"}:
            channel = call.args.get("channel", "?")
            private = " (only visible to you)" if call.method == "chat.postEphemeral" else ""
            self._show(f"ofsted-bot in {channel}{private}", call.args)
        elif not call.response.get("ok", True):
            self.say(f"   (Slack refused {call.method}: {call.response.get('error')})")

    def _dispatch(self, body: str) -> None:
        headers: dict[str, str | Sequence[str]] = dict(signed_headers(self.secret, body))
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        if response.status != 200:
            self.say(f"   (the app answered HTTP {response.status}: {response.body[:200]})")
        elif response.body:
            self._show("ofsted-bot (only visible to you)", json.loads(response.body))

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
