"""Files in the fake Slack, served as Slack serves them.

A file someone shares (`share`) gets Slack's file object: `url_private` and
`url_private_download` under `/files-pri/<team>-<id>/…`. Fetching one needs the bot's token in
an `Authorization: Bearer` header (files:read); without it Slack does not refuse with an error
but redirects to its sign-in page, which answers HTML with status 200, so a client that does
not check gets a web page instead of the file. `files.info` answers the file object.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote, urlsplit

Json = dict[str, Any]
TEAM_ID = "T0COUNCIL"  # the fake's workspace (fakeslack_answers.TEAM_ID)
Served = tuple[int, bytes, dict[str, str]]  # status, body, headers
SIGN_IN = "/signin"
SIGN_IN_PAGE = (
    b"<!DOCTYPE html><html lang='en'><head><title>Sign in | Slack</title></head>"
    b"<body><h1>Sign in to your workspace</h1></body></html>"
)


def file_object(record: Json, root_url: str) -> Json:
    """The record as Slack's file object, with its private URLs."""
    path = f"{root_url}/files-pri/{TEAM_ID}-{record['id']}"
    name = quote(str(record["name"]))
    urls = {"url_private": f"{path}/{name}", "url_private_download": f"{path}/download/{name}"}
    return {k: v for k, v in record.items() if k != "uploaded"} | urls


class Store(Protocol):
    """Where the fake keeps files: fakeslack_answers.Workspace."""

    files: dict[str, Json]
    content: dict[str, bytes]
    counter: int


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def share(
    space: Store, root_url: str, *, name: str, content: bytes, user: str, mimetype: str
) -> Json:
    """A file a person uploaded: stored, and its file object (as in a file_share event)."""
    space.counter += 1
    file_id = f"F0SHARED{space.counter:04d}"
    filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
    record: Json = {
        "id": file_id,
        "created": 1_700_000_000,
        "timestamp": 1_700_000_000,
        "name": name,
        "title": name,
        "mimetype": mimetype,
        "filetype": filetype,
        "pretty_type": filetype.upper(),
        "user": user,
        "user_team": TEAM_ID,
        "editable": False,
        "size": len(content),
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": False,
        "public_url_shared": False,
        "uploaded": True,
    }
    space.files[file_id] = record
    space.content[file_id] = content
    return file_object(record, root_url)


def info(files: dict[str, Json], args: Json, root_url: str) -> Json:
    """files.info"""
    record = files.get(str(args.get("file")))
    if record is None or not record.get("uploaded"):
        return {"ok": False, "error": "file_not_found"}
    return {"ok": True, "file": file_object(record, root_url), "content": ""}


def serve(space: Store, path: str, headers: dict[str, str], root_url: str) -> Served:
    """GET of a private file URL, or of the sign-in page it redirects to."""
    url = urlsplit(path)
    if url.path == SIGN_IN:
        return 200, SIGN_IN_PAGE, {"Content-Type": "text/html; charset=utf-8"}
    auth = _header(headers, "authorization")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if not token.startswith("xox"):
        redirect = quote(f"{root_url}{url.path}", safe="")
        return 302, b"", {"Location": f"{root_url}{SIGN_IN}?redir={redirect}"}
    parts = url.path.split("/")  # "", "files-pri", "<team>-<id>", ["download"], name
    file_id = parts[2].rpartition("-")[2] if len(parts) > 3 else ""
    record = space.files.get(file_id)
    if record is None or file_id not in space.content:
        return 404, b"file not found", {"Content-Type": "text/plain"}
    kind = str(record.get("mimetype") or "application/octet-stream")
    return 200, space.content[file_id], {"Content-Type": kind}
