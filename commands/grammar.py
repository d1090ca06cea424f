"""Parsing the text of `/ofsted …` into an invocation.

`/ofsted <verb> <args>`; a bare recommendation number (`/ofsted 4`, `/ofsted b`) means `rec`, a
bare action ref (`/ofsted 4.2`) means `action`, and an empty command means `help`. A trailing
word `share` posts the answer in the channel instead of privately, except after a verb whose
words are what the user is recording (`update`): there it is part of the text.
"""

from __future__ import annotations

import re

from commands.context import Invocation
from db.status import ACTION_REF_PATTERN

REC_NUMBER = re.compile(r"^(\d{1,3}|[A-Za-z])$")
ACTION_REF = re.compile(rf"^{ACTION_REF_PATTERN}$")
TEXT_VERBS = frozenset({"update"})  # the rest of the line is the user's words, kept whole
MAX_TEXT = 4000  # Slack caps command text well below this; anything longer is cut


def words(text: str) -> list[str]:
    return text.split()


def parse(text: str, *, page: int = 0, share: bool = False) -> Invocation:
    text = text[:MAX_TEXT].strip()
    tokens = words(text)
    takes_share = bool(tokens) and tokens[0].lower() not in TEXT_VERBS
    if takes_share and tokens[-1].lower() == "share" and len(tokens) > 1:
        tokens, share = tokens[:-1], True
        text = text[: text.lower().rfind("share")].rstrip()
    if not tokens:
        return Invocation("help", (), "", page, share)
    first = tokens[0]
    if (
        REC_NUMBER.match(first)
        and len(tokens) <= 2
        and (len(first) > 1 or first.isdigit() or len(tokens) == 1)
    ):
        return Invocation("rec", tuple(tokens), text, page, share)
    if ACTION_REF.match(first) and len(tokens) == 1:
        return Invocation("action", tuple(tokens), text, page, share)
    raw = text[len(first) :].strip()
    return Invocation(first.lower(), tuple(tokens[1:]), raw, page, share)
