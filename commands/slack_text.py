"""What a person typed, from the text Slack sends (events, shortcuts, slash commands).

Slack sends `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;`, and marks up what the client
recognised between `<` and `>` (https://docs.slack.dev/messaging/formatting-message-text):

    <https://example.org/minutes|the minutes>  ->  the minutes (https://example.org/minutes)
    <https://example.org>                       ->  https://example.org
    <mailto:a@council.gov.uk|a@council.gov.uk>  ->  a@council.gov.uk
    <@U0DIANA> or <@U0DIANA|diana>              ->  <@U0DIANA>  (a person, by id: files and
                                                    views map it to a name)
    <#C0BOARD|board>                            ->  #board
    <!here>, <!channel>, <!everyone>            ->  @here, @channel, @everyone
    <!subteam^S0HR|@hr-team>                    ->  @hr-team
    <!date^1700000000^{date}|14 Nov 2023>       ->  14 Nov 2023

What is stored is this text. Showing it in Slack escapes it again (commands.views.kit), so
nothing anyone typed can ping or inject a link; links are made clickable there, and files show
"label (url)" as stored.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"<([^<>]*)>")
_SPECIAL = {"here", "channel", "everyone"}


def decode_entities(text: str) -> str:
    """Slack's three escapes undone (`&amp;` last, so `&amp;lt;` stays `&lt;`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _link(target: str, label: str) -> str:
    if target.startswith("mailto:"):
        address = target.removeprefix("mailto:")
        return address if label in ("", address) else f"{label} ({address})"
    bare = re.sub(r"^https?://", "", target).rstrip("/")
    if not label or label in (target, bare) or label.rstrip("/") == bare:
        return target
    return f"{label} ({target})"


def _markup(inner: str) -> str:
    """The typed form of one `<…>`."""
    target, _, label = inner.partition("|")
    target, label = decode_entities(target), decode_entities(label)
    if target.startswith(("@U", "@W")):
        return f"<{target}>"
    if target.startswith("#C") or target.startswith("#G"):
        return f"#{label}" if label else target
    if target.startswith("!"):
        word = target[1:].split("^", 1)[0]
        if word in _SPECIAL:
            return f"@{word}"
        if label:
            return label if word != "subteam" or label.startswith("@") else f"@{label}"
        return f"@{target[1:].split('^')[-1]}" if word == "subteam" else ""
    if re.match(r"^(https?|mailto):", target):
        return _link(target, label)
    return label or target


def typed(wire: str) -> str:
    """What the person typed, from Slack's text (see the module's table)."""
    out: list[str] = []
    position = 0
    for found in _MARKUP.finditer(wire):
        out.append(decode_entities(wire[position : found.start()]))
        out.append(_markup(found[1]))
        position = found.end()
    out.append(decode_entities(wire[position:]))
    return "".join(out)
