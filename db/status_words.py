"""Reading what an owner wrote: an optional action ref, an optional leading status word, the text.

    "4.2 amber: waiting for HR"   -> ref 4.2, at risk / amber, "waiting for HR"
    "Green - panel meets weekly"  -> on track / green, "panel meets weekly"
    "done: policy agreed at DMT"  -> complete, "policy agreed at DMT"
    "waiting for HR"              -> no status change, "waiting for HR"

Status words are matched whole, in any case, with or without a colon or dash after them. A word
names a status; its RAG is the one the status implies (db.status.settle_rag, the one rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from db.status import ACTION_REF_PATTERN, ActionStatus, Rag, settle_rag

_STATUS_OF_WORD = {
    "green": ActionStatus.ON_TRACK,
    "on track": ActionStatus.ON_TRACK,
    "on-track": ActionStatus.ON_TRACK,
    "amber": ActionStatus.AT_RISK,
    "at risk": ActionStatus.AT_RISK,
    "at-risk": ActionStatus.AT_RISK,
    "red": ActionStatus.OFF_TRACK,
    "off track": ActionStatus.OFF_TRACK,
    "off-track": ActionStatus.OFF_TRACK,
    "blocked": ActionStatus.OFF_TRACK,
    "done": ActionStatus.COMPLETE,
    "complete": ActionStatus.COMPLETE,
    "completed": ActionStatus.COMPLETE,
}
STATUS_WORDS: dict[str, tuple[ActionStatus, Rag | None]] = {
    word: (status, settle_rag(status)) for word, status in _STATUS_OF_WORD.items()
}
_WORDS = "|".join(
    sorted((re.escape(w).replace(r"\ ", r"\s+") for w in STATUS_WORDS), key=len, reverse=True)
)
_STATUS = re.compile(rf"^\s*(?P<word>{_WORDS})(?![\w-])\s*(?:[:\-–—.,]\s*)?", re.IGNORECASE)
_REF = re.compile(rf"^\s*(?P<ref>{ACTION_REF_PATTERN})(?![\w.])\s*[:\-–—]?\s*")
_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>\s*[:,]?\s*")


@dataclass(frozen=True)
class ParsedUpdate:
    ref: str | None
    status: ActionStatus | None
    rag: Rag | None
    text: str


def status_of(word: str) -> tuple[ActionStatus, Rag | None] | None:
    return STATUS_WORDS.get(" ".join(word.lower().split()))


def parse_status(text: str) -> tuple[ActionStatus | None, Rag | None, str]:
    match = _STATUS.match(text)
    if not match:
        return None, None, text.strip()
    found = status_of(match["word"])
    assert found is not None
    return found[0], found[1], text[match.end() :].strip()


def parse_update(text: str, *, with_ref: bool = True) -> ParsedUpdate:
    """Split an update as typed into ref, status and text (the text is kept whole otherwise)."""
    text = _MENTION.sub("", text, count=1)
    ref = None
    if with_ref:
        match = _REF.match(text)
        if match:
            ref, text = match["ref"], text[match.end() :]
    status, rag, rest = parse_status(text)
    return ParsedUpdate(ref, status, rag, rest)
