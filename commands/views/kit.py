"""Pieces every view uses: escaping, cutting to Slack's limits, RAG and status words and bars,
dates.

Bars: one square per action. A bar of more actions than fits uses one scale for all the bars of
its kind, said beside them (`per_square`): each square is then N actions, and each RAG is
rounded up (so one red action still shows). The count of each RAG is always written after the
bar."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block, ButtonElement, ContextBlock, HeaderBlock, SectionBlock
from slack_sdk.models.views import View

from commands.ids import ActionId, ButtonValue, CallbackId, Rerun
from commands.views.plain import plain
from db.cards import PersonRow
from db.models import Person
from db.status import DONE, RAG_KEYS, ActionStatus, Rag

# Slack's limits that slack_sdk declares no constant for (the rest are slack_sdk's own, e.g.
# SectionBlock.text_max_length, ButtonElement.text_max_length)
MAX_BLOCKS = 50  # in a message
CONTEXT_TEXT = 2000  # each context element
FALLBACK_TEXT = 3000  # notification text we send (Slack allows 40,000; keep it readable)

# by RAG_KEYS (done: complete or signed off, whatever the RAG); a Rag is its own key. Circles
# in the colours the chart and the board pack use (jobs/digest_model.RAG_COLOURS): done is blue
RAG_EMOJI = {"red": "🔴", "amber": "🟠", "green": "🟢", "done": "🔵", "unrated": "⚪"}
RAG_MEANING = {
    Rag.GREEN: "on track: will be delivered by the due date, no help needed",
    Rag.AMBER: "at risk: may slip or needs attention; the owner has a recovery plan",
    Rag.RED: "off track: will miss the due date or is blocked; the board's help is needed",
}
STATUS_EMOJI = {ActionStatus.COMPLETE: "✅", ActionStatus.SIGNED_OFF: "☑️"}


Json = dict[str, Any]
Kit = Block | Json
"""A Block Kit block: Slack's JSON, as the builders below make it (no slack_sdk objects on the
request path: building and serialising them costs more than the lookup behind them; the
tests validate every message against slack_sdk's models), or a slack_sdk model (forms and App
Home use some)."""


@dataclass
class Reply:
    """What the bot answers: Block Kit blocks, the notification text, and where it goes."""

    blocks: list[Kit]
    text: str
    in_channel: bool = False
    replace_original: bool = False
    actions: list[int] = field(default_factory=list)  # the actions it shows (for thread replies)
    followups: list[Reply] = field(default_factory=list)  # more private messages after it

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "response_type": "in_channel" if self.in_channel else "ephemeral",
            "text": cut_escaped(self.text, FALLBACK_TEXT),
            "blocks": [as_json(block) for block in self.blocks[:MAX_BLOCKS]],
        }
        if self.replace_original:
            body["replace_original"] = True
        return body


def escape(text: str) -> str:
    """Make text safe to show in mrkdwn: no `<!channel>`, `<@U…>` or links can be injected.

    Slack's own rule: `&`, `<` and `>` are the control characters; escaped, a user's text is
    shown as typed and pings nobody.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(mrkdwn_text: str) -> str:
    """The plain text of mrkdwn we escaped (for a notification `text`, which is escaped again)."""
    return mrkdwn_text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with "…" when it had to be cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit * 0.6:
        head = head[:space]
    return head.rstrip() + "…"


def cut_escaped(text: str, limit: int) -> str:
    """Escape, then cut to the limit without splitting an `&amp;`-style entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    head = cut(escaped, limit)
    amp = head.rfind("&", max(0, len(head) - 6))
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp].rstrip() + "…"
    return head


_URL = re.compile(r"https?://[^\s<>|\"]+")
_URL_END = ".,;:!?'\u2019\u201d"


def _url_at(found: re.Match[str]) -> str:
    """The URL found, without the punctuation after it (a closing bracket only if unopened)."""
    url = found[0]
    while url and (url[-1] in _URL_END or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


def escape_linked(text: str) -> str:
    """Escaped as `escape` does, with each http(s) URL a link Slack shows as the URL itself
    (`<https://…>`): clickable, and what it shows is what it opens."""
    out: list[str] = []
    position = 0
    for found in _URL.finditer(text):
        url = _url_at(found)
        if "." not in url.partition("://")[2]:
            continue  # "https://" and no host: not a link
        out += [escape(text[position : found.start()]), f"<{escape(url)}>"]
        position = found.start() + len(url)
    out.append(escape(text[position:]))
    return "".join(out)


def cut_linked(text: str, limit: int) -> str:
    """What someone wrote, cut to the limit, escaped, its URLs links (cut plainly if the links
    would take it past the limit)."""
    shown = escape_linked(cut(text, limit))
    return shown if len(shown) <= limit else cut_escaped(text, limit)


def first_lines(text: str, limit: int = 200) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return cut(" ".join(lines[:3]), limit)


def quoted(text: str, limit: int) -> str:
    """The first lines of what someone wrote, cut, escaped (its URLs links) and in quotes."""
    return f"“{cut_linked(first_lines(text, limit), limit)}”"


def rag_label(rag: str | None) -> str:
    """A RAG (a Rag, or its key as data holds it) as shown: "🔴 Red", "⚪ Not rated"."""
    if not rag:
        return f"{RAG_EMOJI['unrated']} Not rated"
    return f"{RAG_EMOJI[rag]} {rag.capitalize()}"


def status_label(status: str) -> str:
    emoji = STATUS_EMOJI.get(ActionStatus(status))
    return f"{emoji} {status}" if emoji else str(status)


BOARD_SQUARES = 20  # squares in the bar of a board's actions before a scale is used
REC_SQUARES = 10  # squares in the bar of a recommendation's actions before a scale is used


def scale(totals: Sequence[int], squares: int) -> int:
    """Actions per square so that the largest of `totals` fits in `squares` (at least 1)."""
    return max(1, -(-max(totals, default=0) // squares))


def bar(counts: dict[str, int], per: int = 1) -> str:
    """`per` actions a square (each RAG rounded up), then the count of each RAG."""
    if not sum(counts.values()):
        return "no actions"
    cells = "".join(RAG_EMOJI[k] * -(-counts.get(k, 0) // per) for k in RAG_KEYS)
    tally = " ".join(f"{RAG_EMOJI[k]}{counts[k]}" for k in RAG_KEYS if counts.get(k))
    return f"{cells}  {tally}"


def per_square(per: int) -> str:
    """The scale of bars, said beside them."""
    return "one square per action" if per == 1 else f"each square is up to {per} actions"


LONDON = ZoneInfo("Europe/London")


def day(value: date | None) -> str:
    """A date as plain text (headers, notification text, files): "30 Sep 2023"."""
    return value.strftime("%-d %b %Y") if value else "no date"


def weekday(value: date) -> str:
    """A day with its weekday: "Monday 10 Oct 2022"."""
    return f"{value:%A} {day(value)}"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def slack_date(value: date | None, shape: str = "{date_short}") -> str:
    """A date in mrkdwn that Slack shows in each reader's own locale and time zone
    (`<!date^…^{date_short}|30 Sep 2023>`; the fallback where a client cannot). The moment is
    noon UK time that day, so it is the same day for readers from UTC−11 to UTC+11."""
    if value is None:
        return "no date"
    moment = datetime.combine(value, time(12), tzinfo=LONDON)
    fallback = weekday(value) if shape == LONG else day(value)
    return f"<!date^{int(moment.timestamp())}^{shape}|{fallback}>"


LONG = "{date_long}"  # with the weekday: "Monday, October 10th, 2022"


def slack_weekday(value: date) -> str:
    """A day with its weekday, in the reader's locale ("Monday 10 Oct 2022" the fallback)."""
    return slack_date(value, LONG)


def when(value: datetime, tz: ZoneInfo) -> str:
    """A moment in mrkdwn, in each reader's locale and time zone: `<!date^…^{date_short} {time}
    |5 Sep 2022, 09:00>` (the fallback in the council's time zone)."""
    moment = _utc(value)
    fallback = moment.astimezone(tz).strftime("%-d %b %Y, %H:%M")
    return f"<!date^{int(moment.timestamp())}^{{date_short}} {{time}}|{fallback}>"


def plain_when(value: datetime, tz: ZoneInfo) -> str:
    """A moment as plain text, in the council's time zone."""
    return _utc(value).astimezone(tz).strftime("%-d %b %Y, %H:%M")


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'s' if n != 1 else ''}"


def overdue_by(due: date, today: date) -> str:
    """How long past its due date: "3 days", "5 weeks", "4 months", "3 years"."""
    days = (today - due).days
    if days < 14:
        return _count(days, "day")
    if days < 61:
        return _count(days // 7, "week")
    if days < 730:
        return _count(days * 12 // 365, "month")
    return _count(days // 365, "year")


class Due(Protocol):
    """An action as far as its due date goes (a model's Action, or an ActionLine)."""

    @property
    def due(self) -> date | None: ...
    @property
    def due_original(self) -> date | None: ...
    @property
    def status(self) -> str: ...


def due_text(action: Due, today: date) -> str:
    """The due date (in the reader's locale), the original one if it moved, and whether it is
    overdue and by how long (never when done)."""
    text = f"due {slack_date(action.due)}"
    if action.due and action.due_original and action.due != action.due_original:
        text += f", originally {slack_date(action.due_original)}"
    if action.due and action.due < today and action.status not in DONE:
        text += f" · ⚠️ *overdue by {overdue_by(action.due, today)}*"
    return text


def person(who: Person | PersonRow | None, *, mention: bool = True) -> str:
    """A person as Slack shows them: a mention, which Slack renders as their name (and which
    pings nobody in a private answer, App Home or a form). A message posted in a channel
    (`shared`) goes through `without_pings`, which writes names instead."""
    if who is None:
        return "nobody yet" if mention else ""
    return f"<@{who.slack_user_id}>"


MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def mentioned(blocks: Iterable[Kit]) -> set[str]:
    """The member ids mentioned in blocks."""
    return set(MENTION.findall(json.dumps([as_json(b) for b in blocks])))


def without_pings(
    blocks: Sequence[Kit], names: Callable[[Iterable[str]], Mapping[str, str]]
) -> list[Json]:
    """Blocks to post where others read them: each mention (`<@U…>`, which would notify the
    person) becomes the person's name (escaped), or their member id when Slack does not know
    them. User text is always escaped, so every mention in the blocks is the bot's own."""
    raw = json.dumps([as_json(b) for b in blocks])
    known = names(set(MENTION.findall(raw)))

    def name(match: re.Match[str]) -> str:
        return json.dumps(escape(known.get(match[1], match[1])))[1:-1]

    found: list[Json] = json.loads(MENTION.sub(name, raw))
    return found


def as_json(block: Kit) -> Json:
    """A block as Slack's JSON (a slack_sdk model unvalidated, as `plain()` gives it)."""
    return block if isinstance(block, dict) else plain(block)


def _text(kind: str, text: str) -> Json:
    return {"type": kind, "text": text}


def header(text: str) -> Json:
    return {"type": "header", "text": _text("plain_text", cut(text, HeaderBlock.text_max_length))}


def divider() -> Json:
    return {"type": "divider"}


def mrkdwn(text: str, *, accessory: Json | None = None) -> Json:
    section = {"type": "section", "text": _text("mrkdwn", cut(text, SectionBlock.text_max_length))}
    if accessory is not None:
        section["accessory"] = accessory
    return section


def context(*parts: str) -> Json:
    elements = [_text("mrkdwn", cut(p, CONTEXT_TEXT)) for p in parts if p]
    elements = elements[: ContextBlock.elements_max_length]
    return {"type": "context", "elements": elements or [_text("mrkdwn", " ")]}


def button(label: str, kind: ActionId, value: ButtonValue, *, style: str | None = None) -> Json:
    """A button whose value is JSON (commands.ids); its action_id is `<kind>:<digest>`, unique
    per value, so a message may hold several buttons of one kind (listeners match the kind)."""
    encoded = value.dump()
    if len(encoded) > ButtonElement.value_max_length:
        raise ValueError("button value too long")
    element: Json = {
        "type": "button",
        "text": {
            "type": "plain_text",
            "text": cut(label, ButtonElement.text_max_length),
            "emoji": True,
        },
        "action_id": kind.for_value(encoded),
        "value": encoded,
    }
    if style:
        element["style"] = style
    return element


def buttons(*elements: Json | None) -> Json | None:
    present = [e for e in elements if e is not None]
    return {"type": "actions", "elements": present} if present else None


def rerun(command: str, *, page: int | None = None) -> Rerun:
    """A button value that runs an `/ofsted` command again (paging, sharing)."""
    return Rerun(cmd=command, page=page)


def keep_within_limits(blocks: list[Kit | None]) -> list[Kit]:
    present = [b for b in blocks if b is not None]
    if len(present) > MAX_BLOCKS:
        present = [*present[: MAX_BLOCKS - 1], context("_…more than Slack can show at once._")]
    return present


def notice_modal(title: str, text: str = "Just a moment…") -> View:
    """A modal with a line of text and no form: opened at once (a trigger id lives 3 seconds)
    and filled in afterwards, or telling why there is no form."""
    return View(
        type="modal",
        callback_id=CallbackId.NOTICE,
        title=cut(title, 24),
        close="Close",
        blocks=[mrkdwn(text)],
    )
