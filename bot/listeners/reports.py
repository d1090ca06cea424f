"""A published report sent to the bot in a DM: the plan drafted from it, and its import.

An admin shares the report's PDF in a DM with the bot. The file is fetched from its
`url_private_download` with the bot token (files:read; without a token Slack answers with its
sign-in page, so anything that is not a PDF is refused), and files over MAX_BYTES are refused
before they are fetched. The bot answers with the draft as a YAML file (files upload v2) and a
message saying what it found, with *Import as a new plan* and *Import and make it current*
(admins only; the current plan changes only on request). The YAML file in Slack is the draft
the buttons import, fetched again by its id (`files.info`).

Narrow on purpose: only a file_share message in a DM (not in a thread) with a PDF is taken
here; replies with files in threads are the update listeners'.
"""

from __future__ import annotations

import logging
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.cli_draft import draft_file
from bot.listeners.events import message
from bot.listeners.later import after_the_ack
from bot.services import services
from commands.ids import ActionId, DraftRef
from commands.views.draft import draft_view, imported_view, refused_view
from db.plan_import import import_plan_spec
from db.planfile import PlanFileError, parse_plan_file
from db.report.lines import ReportError

log = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024  # published reports are well under 2 MB
DOWNLOAD_SECONDS = 30


class FetchError(Exception):
    """The file could not be fetched from Slack; the message is for the user."""


def _is_pdf(file: dict[str, Any]) -> bool:
    name = str(file.get("name") or "").lower()
    return (
        file.get("filetype") == "pdf"
        or file.get("mimetype") == "application/pdf"
        or (name.endswith(".pdf"))
    )


def a_pdf_in_a_dm(event: dict[str, Any]) -> bool:
    """A matcher: a person's DM to the bot (not a thread reply) sharing a PDF."""
    return (
        event.get("channel_type") == "im"
        and not event.get("thread_ts")
        and bool(event.get("user"))
        and not event.get("bot_id")
        and any(_is_pdf(f) for f in event.get("files") or [])
    )


def fetch(url: str, token: str, limit: int = MAX_BYTES) -> bytes:
    """A private file's bytes, with the bot token as Slack requires."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_SECONDS) as answer:  # noqa: S310
            kind = answer.headers.get("Content-Type", "")
            data: bytes = answer.read(limit + 1)
    except OSError as exc:
        raise FetchError(f"I could not fetch the file from Slack ({exc}).") from None
    if len(data) > limit:
        raise FetchError(f"The file is over {limit // (1024 * 1024)} MB: send the report itself.")
    if kind.startswith("text/html"):
        raise FetchError("Slack sent a sign-in page, not the file: is files:read granted?")
    return data


def _draft_reply(client: WebClient, channel: str, file: dict[str, Any], token: str) -> None:
    name = str(file.get("name") or "report.pdf")
    if int(file.get("size") or 0) > MAX_BYTES:
        raise FetchError(f"{name} is over {MAX_BYTES // (1024 * 1024)} MB: send the report itself.")
    data = fetch(str(file.get("url_private_download") or file.get("url_private")), token)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        draft, text = draft_file(path)
    stem = Path(name).stem
    uploaded = client.files_upload_v2(
        channel=channel, content=text, filename=f"{stem}.yaml", title=f"Draft plan: {stem}"
    )
    file_id = str((uploaded.get("files") or [{}])[0].get("id") or "") or None
    client.chat_postMessage(channel=channel, **_message(draft_view(draft, name, file_id)))


def _message(reply: Any) -> dict[str, Any]:
    payload: dict[str, Any] = reply.payload()
    return {"text": payload["text"], "blocks": payload["blocks"]}


def received() -> None:
    """Events need no ack function's work: Bolt acks; the draft is made after."""


def draft_report(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ofsted = services(context)
    channel = str(event["channel"])
    with after_the_ack("report in a DM"):
        if event["user"] not in ofsted.settings.admins:
            text = "Only an admin can draft a plan from a report. Ask one to send it to me."
            client.chat_postMessage(channel=channel, **_message(refused_view(text)))
            return
        file = next(f for f in event.get("files") or [] if _is_pdf(f))
        try:
            _draft_reply(client, channel, file, str(client.token or context.bot_token))
        except (ReportError, FetchError, PlanFileError) as exc:
            client.chat_postMessage(channel=channel, **_message(refused_view(str(exc))))


def import_draft(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ofsted = services(context)
    user = str(body["user"]["id"])
    channel = str((body.get("channel") or {}).get("id") or user)
    value = DraftRef.read((body.get("actions") or [{}])[0].get("value"))
    with after_the_ack("import a drafted plan", body.get("response_url")):
        if user not in ofsted.settings.admins:
            reply = refused_view("Only an admin can import a plan.")
        elif value is None:
            reply = refused_view("That button is out of date: send the report again.")
        else:
            reply = _import(client, value, ofsted)
        client.chat_postMessage(channel=channel, **_message(reply))


def _import(client: WebClient, value: DraftRef, ofsted: Any) -> Any:
    info = client.files_info(file=value.file)
    file = info.get("file") or {}
    try:
        text = fetch(str(file.get("url_private_download")), str(client.token)).decode("utf-8")
        spec = parse_plan_file(str(file.get("name") or "draft.yaml"), text)
    except (FetchError, UnicodeDecodeError) as exc:
        return refused_view(f"I could not read the draft: {exc}")
    except PlanFileError as exc:
        return refused_view("The draft is not a valid plan file:\n" + "\n".join(exc.lines()))
    if value.current and spec.plans:  # the council's plan (a SIF file's first) becomes current
        first = spec.plans[0].model_copy(update={"current": True})
        spec = spec.model_copy(update={"plans": [first, *spec.plans[1:]]})
    report = import_plan_spec(ofsted.database.writes, spec, make_current=bool(value.current))
    return imported_view(report)


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App) -> None:
    """Before the other message listeners: a PDF in a DM is a report, not an update."""
    app.event(message("file_share"), matchers=[a_pdf_in_a_dm])(ack=received, lazy=[draft_report])
    app.action(ActionId.pattern(ActionId.IMPORT_DRAFT))(ack=acknowledge, lazy=[import_draft])
