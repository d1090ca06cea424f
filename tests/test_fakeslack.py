"""The fake Slack Web API, driven through a real slack_sdk WebClient."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, HeaderBlock, SectionBlock
from slack_sdk.webhook import WebhookClient

from bot.devtools.fakeslack import Call, FakeSlack

FIXTURES = Path(__file__).parent / "fixtures" / "slack"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def slack_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(excinfo.value.response["error"])


def test_post_message_returns_increasing_ts_and_records_decoded_blocks(
    fake: FakeSlack, client: WebClient
) -> None:
    blocks = [
        HeaderBlock(text="Weekly update"),
        SectionBlock(text="*3 actions* due", block_id="summary"),
        ActionsBlock(elements=[ButtonElement(text="Done", action_id="done", value="a1")]),
    ]
    first = client.chat_postMessage(channel="C1", text="Weekly update", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])

    assert first["ok"] is True
    assert first["channel"] == "C1"
    assert abs(float(first["ts"]) - time.time()) < 5  # Slack's clock
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["thread_ts"] == first["ts"]
    assert first["message"]["text"] == "Weekly update"

    call = fake.calls_to("chat.postMessage")[0]
    assert call.args["blocks"] == [block.to_dict() for block in blocks]
    assert call.args["blocks"][1]["block_id"] == "summary"
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.status == 200
    assert call.response["ts"] == first["ts"]
    assert call.path == "chat.postMessage"


def test_form_encoded_json_arguments_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    blocks = [section("from a form")]
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)})
    assert fake.calls[-1].args["blocks"] == blocks


def test_a_user_id_as_channel_posts_to_their_dm(client: WebClient) -> None:
    assert client.chat_postMessage(channel="U123", text="hi")["channel"] == "DU123"
    assert client.conversations_open(users="U123")["channel"]["id"] == "DU123"


@pytest.mark.parametrize(
    "blocks",
    [
        [section("x")] * 51,
        [section("x" * 3001)],
        [
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b" * 80}}],
            }
        ],
    ],
    ids=["51 blocks", "3001-char section", "80-char button"],
)
def test_blocks_over_slacks_limits_are_rejected(
    fake: FakeSlack, client: WebClient, blocks: list[dict[str, Any]]
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    assert slack_error(excinfo) == "invalid_blocks"
    assert excinfo.value.response.status_code == 200
    errors = excinfo.value.response["errors"]
    assert errors
    assert all("[json-pointer:/blocks" in e for e in errors)
    assert fake.calls[-1].response["error"] == "invalid_blocks"


def test_other_message_errors(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo, pytest.warns(UserWarning, match="`text`"):
        client.chat_postMessage(channel="C1")
    assert slack_error(excinfo) == "no_text"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="t" * 40_001)
    assert slack_error(excinfo) == "msg_too_long"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts="1.2", text="t", blocks=[section("x" * 3001)])
    assert slack_error(excinfo) == "invalid_blocks"


def test_rate_limit_is_seen_by_a_client_without_retry_handlers(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hi")
    response = excinfo.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    # the fault is used up
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]


def test_rate_limit_retry_handler_waits_and_succeeds(fake: FakeSlack) -> None:
    handler = RateLimitErrorRetryHandler(max_retry_count=1)
    client = WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[handler])
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    calls = fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response == {"ok": False, "error": "ratelimited"}


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors(fake: FakeSlack, client: WebClient, status: int) -> None:
    fake.fail_next("chat.postMessage", status=status)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hi")
    assert excinfo.value.response.status_code == status
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True


def test_permanent_errors_and_wildcard_faults(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel="C404", text="hi")
        assert slack_error(excinfo) == "channel_not_found"
        assert excinfo.value.response.status_code == 200
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True

    fake.fail_next("*", error="not_in_channel")
    with pytest.raises(SlackApiError) as excinfo:
        client.reactions_add(channel="C1", timestamp="1.2", name="eyes")
    assert slack_error(excinfo) == "not_in_channel"
    assert client.reactions_add(channel="C1", timestamp="1.2", name="eyes")["ok"] is True


def test_a_status_200_fault_needs_an_error(fake: FakeSlack) -> None:
    with pytest.raises(ValueError, match="needs error"):
        fake.fail_next("chat.postMessage")


def test_calls_without_a_token_are_not_authed(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(base_url=fake.base_url).chat_postMessage(channel="C1", text="hi")
    assert slack_error(excinfo) == "not_authed"
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(token="not-a-token", base_url=fake.base_url).auth_test()
    assert slack_error(excinfo) == "invalid_auth"
    # a token argument (rather than a header) is accepted, as Slack does
    request = urllib.request.Request(fake.base_url + "auth.test", data=b"token=xoxb-form")
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["user_id"] == "UBOT"


def test_auth_test(client: WebClient) -> None:
    response = client.auth_test()
    assert (response["user_id"], response["team_id"], response["bot_id"]) == (
        "UBOT",
        "T0COUNCIL",
        "BBOT",
    )


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    url = fake.response_url("cmd-1")
    assert url.endswith("/response/cmd-1")
    sent = WebhookClient(url).send(text="Done", replace_original=True, blocks=[section("ok")])
    assert sent.status_code == 200
    assert json.loads(sent.body) == {"ok": True}
    assert (
        WebhookClient(fake.response_url()).send_dict({"delete_original": True}).status_code == 200
    )

    bad = WebhookClient(url).send(text="fallback", blocks=[section("x" * 3001)])
    assert bad.status_code == 200
    assert json.loads(bad.body)["error"] == "invalid_blocks"

    calls = fake.calls_to("response_url")
    assert len(calls) == 3
    assert calls[0].path == "cmd-1"
    assert calls[0].args == {"text": "Done", "replace_original": True, "blocks": [section("ok")]}
    assert calls[1].args == {"delete_original": True}
    assert calls[2].response["ok"] is False


def test_users_info(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1", "Ada Lovelace", tz="America/New_York")
    user = client.users_info(user="U1")["user"]
    assert (user["id"], user["real_name"], user["tz"]) == ("U1", "Ada Lovelace", "America/New_York")
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert user["is_bot"] is False
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U404")
    assert slack_error(excinfo) == "user_not_found"


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    content = b"\x89PNG fake image bytes"
    response = client.files_upload_v2(
        content=content, filename="x.png", channel="C1", title="Chart"
    )
    uploaded = response["file"]
    assert uploaded == {"id": uploaded["id"], "title": "Chart"}  # Slack's answer: id and title
    info = client.files_info(file=uploaded["id"])["file"]
    assert (info["name"], info["title"], info["size"]) == ("x.png", "Chart", len(content))
    assert info["channels"] == ["C1"]
    assert [share["ts"] for share in info["shares"]["public"]["C1"]] == [
        fake.messages("C1")[0]["ts"]
    ]
    methods = [c.method for c in fake.calls]
    assert methods[:3] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    upload = fake.calls_to("upload")[0]
    assert upload.path == uploaded["id"]
    assert upload.args["size"] == len(content)


def test_completing_an_upload_that_never_happened_fails(client: WebClient) -> None:
    file_id = client.files_getUploadURLExternal(filename="x.txt", length=3)["file_id"]
    with pytest.raises(SlackApiError) as excinfo:
        client.files_completeUploadExternal(files=[{"id": file_id}])
    assert slack_error(excinfo) == "file_not_found"


def test_views(fake: FakeSlack, client: WebClient) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Add a note"},
        "blocks": [section("hi")],
    }
    view = client.views_open(trigger_id="123.456", view=modal)["view"]
    assert view["id"].startswith("V")
    assert view["blocks"] == modal["blocks"]
    updated = client.views_update(view_id=view["id"], view=modal)["view"]
    assert updated["id"] == view["id"]
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")] * 100})
    assert home["view"]["type"] == "home"

    too_long = modal | {"title": {"type": "plain_text", "text": "t" * 25}}
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="123.456", view=too_long)
    assert slack_error(excinfo) == "invalid_arguments"
    assert (
        "json-pointer:/view/title/text"
        in excinfo.value.response["response_metadata"]["messages"][0]
    )
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")] * 101})


def test_other_methods(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="hi")["ts"]
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/C1/p{ts.replace('.', '')}")
    assert client.chat_update(channel="C1", ts=ts, text="edited")["message"]["text"] == "edited"
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"] > ts
    assert client.chat_delete(channel="C1", ts=ts)["ts"] == ts
    assert client.conversations_info(channel="C1")["channel"]["is_channel"] is True
    assert client.reactions_add(channel="C1", timestamp=ts, name="eyes")["ok"] is True
    with pytest.raises(SlackApiError) as excinfo:
        client.reactions_add(channel="C1", timestamp=ts, name="eyes")
    assert slack_error(excinfo) == "already_reacted"
    assert client.api_call("team.info")["ok"] is True


def test_concurrent_posts_get_distinct_ts(fake: FakeSlack, client: WebClient) -> None:
    def post(i: int) -> str:
        return str(client.chat_postMessage(channel="C1", text=f"message {i}")["ts"])

    with ThreadPoolExecutor(max_workers=20) as pool:
        stamps = list(pool.map(post, range(20)))
    assert len(set(stamps)) == 20
    recorded = [c.response["ts"] for c in fake.calls_to("chat.postMessage")]
    assert sorted(recorded) == sorted(stamps)
    assert recorded == sorted(recorded)  # calls are recorded in ts order


def test_on_call_clear_and_healthz() -> None:
    seen: list[Call] = []
    with FakeSlack(on_call=seen.append) as fake:
        WebClient(token="xoxb-test", base_url=fake.base_url).auth_test()
        assert [c.method for c in seen] == ["auth.test"]
        with urllib.request.urlopen(fake.root_url + "/healthz") as response:
            assert response.read() == b"ok"
        fake.fail_next("*", error="fatal_error")
        fake.clear()
        assert fake.calls == []
        assert WebClient(token="xoxb-test", base_url=fake.base_url).auth_test()["ok"] is True


def test_stop_releases_the_port() -> None:
    fake = FakeSlack().start()
    port = int(fake.base_url.split(":")[2].split("/")[0])
    fake.stop()
    with pytest.raises(RuntimeError):
        _ = fake.base_url
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=1),
    ):
        pass


@pytest.mark.parametrize("how", ["timeout", "drop", 500])
def test_a_lost_answer_still_posts_the_message(fake: FakeSlack, how: str | int) -> None:
    quick = WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[], timeout=1)
    fake.lose_answer("chat.postMessage", how)  # type: ignore[arg-type]
    with pytest.raises((OSError, SlackApiError)):
        quick.chat_postMessage(
            channel="C1", text="hi", metadata={"event_type": "e", "event_payload": {"key": "k"}}
        )
    [call] = fake.calls_to("chat.postMessage")
    assert call.lost == str(how) and call.response["ok"] is True
    [posted] = quick.conversations_history(channel="C1")["messages"]
    assert posted["metadata"]["event_payload"] == {"key": "k"}
    assert quick.chat_postMessage(channel="C1", text="again")["ok"] is True  # only once


def test_replies_and_file_shares_in_a_thread(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="U1", text="digest")
    channel, ts = parent["channel"], parent["ts"]
    meta = {"event_type": "e", "event_payload": {"key": "k#1"}}
    client.chat_postMessage(channel=channel, thread_ts=ts, text="details", metadata=meta)
    fake.lose_answer("files.completeUploadExternal", "drop")
    with pytest.raises(ConnectionError):
        client.files_upload_v2(content=b"PNG", filename="x.png", channel=channel, thread_ts=ts)
    thread = client.conversations_replies(channel=channel, ts=ts)["messages"]
    assert [m["text"] for m in thread[:2]] == ["digest", "details"]
    assert thread[1]["metadata"]["event_payload"] == {"key": "k#1"}
    assert [f["name"] for f in thread[2]["files"]] == ["x.png"]
    assert [m["text"] for m in client.conversations_history(channel=channel)["messages"]] == [
        "digest"
    ]
    assert fake.messages("U1", ts) == thread and fake.file_content("x.png") == b"PNG"
    with pytest.raises(SlackApiError):
        client.conversations_replies(channel=channel, ts="1.2")


def test_chat_update_changes_only_the_apps_own_messages_by_their_conversation_id(
    fake: FakeSlack, client: WebClient
) -> None:
    posted = client.chat_postMessage(
        channel="U1", text="nudge", metadata={"event_type": "x", "event_payload": {}}
    )
    channel, ts = posted["channel"], posted["ts"]
    assert channel == "DU1"
    with pytest.raises(SlackApiError) as by_user:
        client.chat_update(channel="U1", ts=ts, text="x")  # a DM is updated by its D id
    assert slack_error(by_user) == "channel_not_found"
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel=channel, ts="1.000001", text="x")
    assert slack_error(missing) == "message_not_found"
    client.chat_update(channel=channel, ts=ts, text="nudge ✓", blocks=[section("✓ done")])
    [now] = fake.messages("U1")
    assert now["text"] == "nudge ✓" and now["blocks"] == [section("✓ done")]
    assert "edited" in now and now["metadata"]["event_type"] == "x"  # metadata kept


def test_a_response_url_replaces_its_message_and_is_used_five_times_at_most(
    fake: FakeSlack, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel="C1", text="digest", blocks=[section("Sign off")])["ts"]
    url = fake.response_url(channel="C1", ts=ts)
    assert (
        WebhookClient(url)
        .send(text="done", replace_original=True, blocks=[section("✅")])
        .status_code
        == 200
    )
    [now] = fake.messages("C1")
    assert now["ts"] == ts and now["blocks"] == [section("✅")]
    for _ in range(4):
        WebhookClient(url).send(text="again", replace_original=True)
    assert WebhookClient(url).send(text="sixth").status_code == 404
    WebhookClient(fake.response_url(channel="C1", ts=ts)).send_dict({"delete_original": True})
    assert fake.messages("C1") == []


def _keys(fixture: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / fixture).read_text())
    data.pop("_comment", None)
    return data


def test_channels_by_id_names_and_membership_as_slack_has_them(
    fake: FakeSlack, client: WebClient
) -> None:
    board = fake.add_channel("achieving-excellence", member=False)
    posted = client.chat_postMessage(channel="#achieving-excellence", text="digest")
    assert posted["channel"] == board  # Slack answers with the id
    for method in (client.conversations_history, client.conversations_join):
        with pytest.raises(SlackApiError) as named:
            method(channel="#achieving-excellence")  # these take ids only
        assert slack_error(named) == "channel_not_found"
    with pytest.raises(SlackApiError) as outside:
        client.conversations_history(channel=board)
    assert slack_error(outside) == "not_in_channel"
    assert not fake.delivers_events(board)
    joined = client.conversations_join(channel=board)
    assert set(_keys("conversations_join.json")["channel"]) <= set(joined["channel"])
    assert client.conversations_join(channel=board)["warning"] == "already_in_channel"
    assert fake.delivers_events(board)
    secret = fake.add_channel("leadership", private=True, member=False)
    with pytest.raises(SlackApiError) as hidden:
        client.chat_postMessage(channel=secret, text="x")
    assert slack_error(hidden) == "channel_not_found"


def test_conversations_list_pages_with_a_cursor(fake: FakeSlack, client: WebClient) -> None:
    for number in range(250):
        fake.add_channel(f"team-{number:03d}", member=False)
    fake.add_channel("leadership", private=True, member=False)  # not listed: the bot is not in it
    names, cursor, pages = [], None, 0
    while True:
        page = client.conversations_list(
            limit=100, cursor=cursor, types="public_channel,private_channel"
        )
        assert set(_keys("conversations_list.json")["channels"][0]) <= set(page["channels"][0])
        names += [c["name"] for c in page["channels"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and len(names) == 250 and "leadership" not in names


def test_a_shared_file_appears_after_slacks_delay(fake: FakeSlack, client: WebClient) -> None:
    fake.share_delay = 5.0
    ts = client.chat_postMessage(channel="C1", text="digest")["ts"]
    done = client.files_upload_v2(content=b"PNG", filename="x.png", channel="C1", thread_ts=ts)
    file_id = done["file"]["id"]
    assert client.files_info(file=file_id)["file"]["shares"] == {}
    assert fake.messages("C1", ts)[1:] == []  # not in the thread yet
    fake.advance(6)
    info = client.files_info(file=file_id)["file"]
    expected = _keys("files_info.json")["file"]["shares"]["private"]["D0SPM"][0]
    [share] = info["shares"]["public"]["C1"]
    assert set(expected) <= set(share) and share["thread_ts"] == ts
    assert [f["id"] for f in fake.messages("C1", ts)[1]["files"]] == [file_id]


def _get(url: str, token: str | None = None) -> tuple[str, str, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as answer:
        return answer.url, answer.headers["Content-Type"], answer.read()


def test_private_file_urls_are_served_only_with_a_bearer_token(
    fake: FakeSlack, client: WebClient
) -> None:
    done = client.files_upload_v2(content=b"key: value\n", filename="d.yaml", channel="C1")
    info = client.files_info(file=done["file"]["id"])["file"]
    assert set(_keys("files_info.json")["file"]) <= set(info)
    assert _get(info["url_private_download"], "xoxb-test")[2] == b"key: value\n"
    url, kind, page = _get(info["url_private_download"])  # no token: Slack's sign-in page
    assert "/signin?redir=" in url and kind.startswith("text/html") and b"Sign in" in page
    shared = fake.share_file("r.pdf", b"%PDF-1.4", user="U1", mimetype="application/pdf")
    assert set(_keys("message_file_share.json")["event"]["files"][0]) <= set(shared)
    assert _get(shared["url_private"], "xoxb-test")[1:] == ("application/pdf", b"%PDF-1.4")
    assert client.files_info(file=shared["id"])["file"]["name"] == "r.pdf"


def test_a_rate_tier_answers_429_and_caps_the_limit(fake: FakeSlack, client: WebClient) -> None:
    fake.non_marketplace()
    for number in range(20):
        client.chat_postMessage(channel="C1", text=f"m{number}")
    first = client.conversations_history(channel="C1", limit=100)
    assert len(first["messages"]) == 15 and first["has_more"]
    with pytest.raises(SlackApiError) as limited:
        client.conversations_history(channel="C1")
    assert limited.value.response.status_code == 429
    assert 55 <= int(limited.value.response.headers["Retry-After"]) <= 60
    fake.advance(61)
    assert client.conversations_history(channel="C1", oldest=first["messages"][0]["ts"])["ok"]


def test_a_slow_call_happens_after_the_client_gave_up(fake: FakeSlack) -> None:
    quick = WebClient(token="xoxb-test", base_url=fake.base_url, timeout=1, retry_handlers=[])
    fake.slow("chat.postMessage", 2.0)
    with pytest.raises(TimeoutError):
        quick.chat_postMessage(channel="C1", text="late")
    assert fake.messages("C1") == []
    time.sleep(1.5)
    assert [m["text"] for m in fake.messages("C1")] == ["late"]
