"""An in-process fake of the Slack Web API, for tests, the offline console and benchmarks.

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.calls_to("chat.postMessage")[0].args["text"] == "hi"

It serves `POST /api/<method>` on 127.0.0.1 from a daemon thread and answers like Slack (HTTP 200,
`{"ok": ...}` JSON), checking blocks and views against `block_limits`. `fail_next` injects
faults Slack answers instead of doing the call; `lose_answer` makes Slack do the call and then
lose its answer (a timeout, a dropped connection or a 5xx), as happens in real life.
`slow` makes Slack take its time before doing a call (so an answer can come after the
client gave up). `response_url()` and `files_upload_v2` work end to end (a shared file appears
as a message in its channel or thread, `share_delay` seconds later, as in Slack);
`conversations.history` and `conversations.replies` return what was posted, metadata and files
included; every request becomes a `Call`. Channels have ids, names and members
(`add_channel`, `rename_channel`, `set_member`; see `fakeslack_channels`); `tier` puts a method
under a rate limit (`non_marketplace()`: Slack's limits for commercially distributed apps not
in the Marketplace). Slack's clock (message ts, share delays, rate windows) is the wall clock
plus `advance()`. What each method does and answers is `fakeslack_answers`; this module is the
HTTP side (parsing, faults, lost and slow answers).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from bot.devtools.fakeslack_answers import (
    BOT_USER_ID,
    Workspace,
    err,
    header,
)
from bot.devtools.fakeslack_controls import Controls, Slow

log = logging.getLogger(__name__)
_Json = dict[str, Any]
_Reply = tuple[int, _Json | str, dict[str, str]]  # status, JSON or text body, extra headers
_DROP, _HANG = 0, -1  # reply statuses that mean: close the connection (at once, or after a while)
Lost = Literal["timeout", "drop", "text"] | int
_JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")


@dataclass
class Call:
    """One request the fake answered."""

    method: str  # "chat.postMessage", ..., "response_url", or "upload" (POST /upload/<file_id>)
    args: _Json  # query + form/multipart/JSON body; JSON-string blocks etc. decoded
    headers: dict[str, str]
    response: _Json  # the JSON answered ({"body": text} for a text answer)
    status: int
    path: str  # the method, the response_url key, or the file id
    lost: str = ""  # done, but the answer was lost: "timeout", "drop" or the status sent ("500")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 drops bursts of connects (1 s SYN retries)


@dataclass
class _Fault:
    method: str
    status: int
    error: str
    retry_after: int | None
    times: int
    match: Callable[[_Json], bool] | None = None


@dataclass
class _LostAnswer:
    method: str
    how: Lost
    times: int
    match: Callable[[_Json], bool] | None


def _multipart(content_type: str, body: bytes) -> tuple[_Json, bytes | None]:
    """Fields (file parts as {"filename", "size"}) and the first file's bytes."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    fields: _Json = {}
    first_file: bytes | None = None
    for part in BytesParser(policy=policy.HTTP).parsebytes(head + body).walk():
        name, filename = part.get_param("name", header="content-disposition"), part.get_filename()
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.is_multipart() or not isinstance(name, str):
            continue
        if filename is not None:
            first_file = data if first_file is None else first_file
        shown = {"filename": filename, "size": len(data)}
        fields[name] = data.decode("utf-8", "replace") if filename is None else shown
    return fields, first_file


def _decode_args(headers: dict[str, str], body: bytes, query: str) -> _Json:
    args: _Json = dict(parse_qsl(query, keep_blank_values=True))
    content_type = header(headers, "content-type")
    if content_type.lower().startswith("multipart/form-data"):
        args.update(_multipart(content_type, body)[0])
    elif "json" in content_type.lower() or body[:1] == b"{":
        with contextlib.suppress(ValueError):
            data = json.loads(body or b"{}")
            args.update(data if isinstance(data, dict) else {"_body": data})
    elif body:
        args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for key in _JSON_ARGS:
        if isinstance(value := args.get(key), str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


class FakeSlack(Controls):
    """The fake server. Thread-safe; start() it (or use it as a context manager) before use."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, on_call: Callable[[Call], None] | None = None
    ) -> None:
        self._host, self._port, self._on_call = host, port, on_call
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._calls: list[Call] = []
        self._faults: list[_Fault] = []
        self._lost: list[_LostAnswer] = []
        self._slow: list[Slow] = []
        self._stopping = threading.Event()
        self.hang = 30.0  # seconds a "timeout" answer is held back (the client gives up first)
        self._offset = 0.0  # advance(): Slack's clock ahead of the wall clock
        self._space = Workspace(self.now)  # users, channels, messages, files; under self._lock
        self.add_user(BOT_USER_ID, "Ofsted bot", is_bot=True)

    def start(self) -> FakeSlack:
        if self._server is None:
            self._stopping.clear()
            self._server = _Server((self._host, self._port), _make_handler(self))
            self._space.files.root_url = self.root_url  # where private file URLs point
            serve = self._server.serve_forever  # polls 20 times a second, so stop() is quick
            self._thread = threading.Thread(target=serve, args=(0.05,), daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        self._stopping.set()  # let held-back answers go
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://{self._host}:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/api/"

    def response_url(
        self, key: str | None = None, *, channel: str | None = None, ts: str | None = None
    ) -> str:
        """A response_url; given the message it is for (`channel`, `ts`), `replace_original`
        and `delete_original` posted to it change that message."""
        key = key or uuid.uuid4().hex
        with self._lock:
            self._space.responses[key] = {"channel": channel, "ts": ts, "uses": 0}
        return f"{self.root_url}/response/{key}"

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every call so far, in the order they were answered."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        match: Callable[[_Json], bool] | None = None,
    ) -> None:
        """Make the next `times` calls to `method` ("*": any call) whose args satisfy `match`
        fail with `status`/`error`, without taking effect."""
        if status == 200 and error is None:
            raise ValueError("a status 200 fault needs error=, e.g. 'channel_not_found'")
        default = {429: "ratelimited", 503: "service_unavailable"}.get(status, "internal_error")
        retry_after = 1 if status == 429 and retry_after is None else retry_after
        with self._lock:
            self._faults.append(_Fault(method, status, error or default, retry_after, times, match))

    def lose_answer(
        self,
        method: str,
        how: Lost = "timeout",
        *,
        times: int = 1,
        match: Callable[[_Json], bool] | None = None,
    ) -> None:
        """Let the next `times` calls to `method` (whose args satisfy `match`) take effect, then
        lose Slack's answer: "timeout" holds it back until the client gives up, "drop" closes
        the connection without one, "text" answers 200 with a body that is not JSON (a proxy's
        page), a status (500, 503) answers that error instead. The message
        is posted (or the file shared) all the same; the call is recorded with `lost` set."""
        with self._lock:
            self._lost.append(_LostAnswer(method, how, times, match))

    def clear(self) -> None:
        """Forget recorded calls and pending faults (users, files and the ts clock stay)."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self._lost.clear()
            self._slow.clear()

    # -- request handling, on the server's threads --------------------------------------------

    def _handle(self, raw_path: str, headers: dict[str, str], body: bytes) -> _Reply:
        url = urlsplit(raw_path)
        route, _, tail = url.path.lstrip("/").partition("/")
        if route == "upload" and tail:
            content_type, data = header(headers, "content-type"), body
            if content_type.lower().startswith("multipart/form-data"):
                data = _multipart(content_type, body)[1] or b""
            args = {"file_id": tail, "size": len(data)}
            return self._record(
                "upload", tail, args, headers, lambda: self._space.upload(tail, data)
            )
        args = _decode_args(headers, body, url.query)
        if route == "api" and tail:
            self._take_time(tail, args)
            if self._stopping.is_set():
                return _DROP, "", {}
            return self._record(
                tail,
                tail,
                args,
                headers,
                lambda: self._space.api(tail, args, headers, self.root_url),
            )
        if route == "response" and tail:
            return self._record(
                "response_url", tail, args, headers, lambda: self._space.respond(tail, args)
            )
        return 404, err("not_found"), {}

    def _take_time(self, method: str, args: _Json) -> None:
        with self._lock:
            slow = next(
                (
                    s
                    for s in self._slow
                    if s.method == method and (s.match is None or s.match(args))
                ),
                None,
            )
            if slow is not None:
                slow.times -= 1
                if slow.times <= 0:
                    self._slow.remove(slow)
        if slow is not None:
            self._stopping.wait(slow.seconds)

    def _record(
        self, method: str, path: str, args: _Json, headers: _Json, answer: Callable[[], _Reply]
    ) -> _Reply:
        with self._lock:  # one call at a time, so ts order is call order
            if fault := next(
                (
                    f
                    for f in self._faults
                    if f.method in (method, "*") and (f.match is None or f.match(args))
                ),
                None,
            ):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
                reply: _Reply = (fault.status, err(fault.error), extra)
            else:
                reply = answer()
            response = reply[1] if isinstance(reply[1], dict) else {"body": reply[1]}
            call = Call(method, args, headers, response, reply[0], path)
            if lost := next(
                (
                    x
                    for x in self._lost
                    if x.method == method and (x.match is None or x.match(args))
                ),
                None,
            ):
                lost.times -= 1
                if lost.times <= 0:
                    self._lost.remove(lost)
                call.lost = str(lost.how)
                if lost.how == "drop":
                    reply = (_DROP, "", {})
                elif lost.how == "timeout":
                    reply = (_HANG, "", {})
                elif lost.how == "text":  # a proxy's page, say: 200, not JSON
                    reply = (200, "<html><body>Bad gateway</body></html>", {})
                else:
                    reply = (int(lost.how), err("internal_error"), {})
            self._calls.append(call)
        if self._on_call is not None:
            try:
                self._on_call(call)
            except Exception:
                log.exception("FakeSlack on_call raised for %s", method)
        return reply


def _make_handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30  # idle keep-alive connections are closed after this

        def do_GET(self) -> None:  # /healthz, a private file (/files-pri/…) or the sign-in page
            if urlsplit(self.path).path == "/healthz":
                self._send(200, "ok", {})
            else:
                self._send(*fake.serve_file(self.path, dict(self.headers.items())))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                reply = fake._handle(self.path, dict(self.headers.items()), body)
            except Exception as exc:  # a bug in the fake: say so rather than hang up
                log.exception("FakeSlack failed on %s", self.path)
                reply = (500, err(f"fakeslack_error: {exc!r}"), {})
            if reply[0] == _HANG:  # hold the answer back until the client gave up
                fake._stopping.wait(fake.hang)
            if reply[0] in (_DROP, _HANG):  # and close the connection without one
                self.close_connection = True
                return
            self._send(*reply)

        def _send(self, status: int, body: _Json | str | bytes, headers: dict[str, str]) -> None:
            if not isinstance(body, bytes):  # a file (bytes) comes with its own Content-Type
                kind = "text/plain" if isinstance(body, str) else "application/json"
                headers = {"Content-Type": f"{kind}; charset=utf-8"} | headers
                body = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler
