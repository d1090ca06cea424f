"""The request path: a lookup issues the same SQL statements whatever the size of the
data; every reply is valid Block Kit by slack_sdk's models (checked by the driver on every
message); `run --http --workers N` serves signed requests from worker processes."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import bot_settings, free_port
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slackdriver import SECRET, Driver, slash_body
from sqlalchemy import create_engine, event, make_url, text

from bench import generate
from bench.workload import current_plan_targets
from bot.app import build_app
from bot.devtools.fakeslack import FakeSlack
from bot.devtools.slack_requests import signed_headers
from commands.ids import ActionId, ActionRef
from commands.views.kit import Reply, button, buttons, context, divider, header, mrkdwn
from commands.views.plain import plain
from db.database import Database

ROOT = Path(__file__).resolve().parent.parent
SIZES = {  # (plans, recommendations, actions, updates, people)
    "small": (2, 6, 30, 300, 12),
    "larger": (3, 30, 300, 6000, 40),
}


@contextmanager
def generated(database_url: str, tmp_path: Path, size: str) -> Iterator[str]:
    """A database of bench/generate.py's made-up plans at SIZE; its URL."""
    plans, recs, actions, updates, people = SIZES[size]
    sizes = ["--plans", str(plans), "--recommendations", str(recs), "--actions", str(actions)]
    sizes += ["--updates", str(updates), "--people", str(people)]
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / f'{size}.db'}"
        generate.main(["--url", url, *sizes])
        yield url
        return
    schema = f"{make_url(database_url).query['options'].split('=')[-1]}_{size}"
    generate.main(["--url", database_url, "--schema", schema, "--reset", *sizes])
    try:
        yield (
            make_url(database_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        admin = create_engine(make_url(database_url).difference_update_query(["options"]))
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def statements_per_lookup(url: str, fake: FakeSlack) -> dict[str, int]:
    database = Database.connect(url)
    targets = current_plan_targets(database)
    owner = targets.owner or "U0NOBODY"
    ref, number = targets.refs[-1], targets.numbers[-1]
    lookups = [
        f"rec {number}",
        f"action {ref}",
        "search supervision",
        "mine",
        "overdue",
        f"history {ref}",
        "plans",
    ]
    counted = [0]
    event.listen(
        database.engine, "before_cursor_execute", lambda *_: counted.__setitem__(0, counted[0] + 1)
    )
    slack = Driver(build_app(bot_settings(url, fake), database), fake)
    counts = {}
    try:
        for line in lookups:
            assert slack.command(line, user=owner).status == 200  # warm: the search index
            before = counted[0]
            answer = slack.command(line, user=owner)
            counts[line.split()[0]] = counted[0] - before
            assert answer.status == 200 and answer.message["blocks"], line
            assert "went wrong" not in json.dumps(answer.message), line  # counted, not failed
    finally:
        database.dispose()
    return counts


def test_a_lookup_issues_the_same_statements_on_ten_times_the_data(
    database_url: str, tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the search index checks whether the plans changed every few seconds (one more statement);
    # on a busy machine that many seconds can pass between the warm lookup and the counted one
    monkeypatch.setattr("db.search.RECHECK_SECONDS", 3600.0)
    with generated(database_url, tmp_path, "small") as url:
        small = statements_per_lookup(url, fake_slack)
    with generated(database_url, tmp_path, "larger") as url:
        larger = statements_per_lookup(url, fake_slack)
    assert small == larger
    assert all(0 < n <= 8 for n in small.values()), small
    # the lookups in one SELECT each (two on SQLite, which counts its BEGIN as a statement)
    lookups = {verb: small[verb] for verb in ("rec", "action", "search", "mine", "overdue")}
    assert all(n <= 2 for n in lookups.values()), small


def test_plain_blocks_are_what_slack_sdk_makes() -> None:
    """The views' builders make Slack's JSON directly, and commands/views/plain.py serialises
    slack_sdk's models without validating them: both give what slack_sdk's models make."""
    made = [
        header("Recommendation 4"),
        mrkdwn("*4.1* <not a link> & more"),
        context("one", "", "two"),
        divider(),
        buttons(button("Update", ActionId.UPDATE, ActionRef(action=1), style="primary"), None),
    ]
    assert made[4] is not None
    action_id = made[4]["elements"][0]["action_id"]
    assert action_id == ActionId.UPDATE.for_value('{"action":1}')
    update = ButtonElement(
        text="Update", action_id=action_id, value='{"action":1}', style="primary"
    )
    models = [
        HeaderBlock(text=PlainTextObject(text="Recommendation 4")),
        SectionBlock(text=MarkdownTextObject(text="*4.1* <not a link> & more")),
        ContextBlock(elements=[MarkdownTextObject(text="one"), MarkdownTextObject(text="two")]),
        DividerBlock(),
        ActionsBlock(elements=[update]),
    ]
    assert made == [b.to_dict() for b in models]
    assert plain(models) == [b.to_dict() for b in models]
    reply = Reply([*made[:4], models[4]], "text")
    assert reply.payload()["blocks"] == [b.to_dict() for b in models]


def test_worker_processes_serve_signed_requests(
    staffed_db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.base_url,
        "SCHEDULER": "false",
        "PLANS_FILE": "",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    command = [sys.executable, "-m", "bot.cli", "run", "--http", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        answers = []
        deadline = time.monotonic() + 60
        while len(answers) < 4:  # several requests: more than one worker may answer
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "no answer from the workers"
            body = slash_body(
                "rec 4", user="U0CP", channel="C0PRACTICE", response_url=fake_slack.response_url()
            )
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("POST", "/slack/events", body, signed_headers(SECRET, body))
                response = connection.getresponse()
                answers.append((response.status, json.loads(response.read())))
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
        unsigned = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        unsigned.request("POST", "/slack/events", body, {"Content-Type": "text/plain"})
        assert unsigned.getresponse().status == 401
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    for status, reply in answers:
        assert status == 200
        assert reply["response_type"] == "ephemeral"
        assert "Recommendation 4" in json.dumps(reply)
