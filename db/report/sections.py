"""The report's areas for improvement: the "What needs to improve?" list (ILACS) or the
"Recommendations" lists (SIF: the local authority's, then the LSCB's), each item verbatim.

An item starts with a bullet glyph or a printed number; its wrapped lines hang indented under
it; a deeper bullet is a sub-item and stays part of its item (one line each); a heading (bold)
or a line back at the margin ends the list. Cross-references are taken out of the text into
fields of their own: "(outcome 3, national framework)" and SIF's "(page 10, paragraph 14)".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from db.report.lines import Line

_HEADING = re.compile(r"^(what needs to improve\b.*|recommendations?)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d{1,3})\.\s+(?=\S)")
_BULLETS = "•◦▪▫■□◼◻●○‣⁃∙·–—-*"
_FRAMEWORK = re.compile(r"\s*\(([^()]*national\s+framework[^()]*)\)", re.IGNORECASE)
_SIF_REFS = re.compile(r"\s*\(((?:pages?\s+[\d,\s]+)?\s*paragraphs?\s+[\d,\s and]+)\)", re.I)
INDENT = 4.0


@dataclass
class Item:
    number: str | None  # as printed; None for a bullet
    lines: list[list[Line]] = field(default_factory=list)  # the item, then each sub-item


@dataclass(frozen=True)
class AreaForImprovement:
    number: str | None
    text: str
    framework: str | None = None
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    heading: str
    start: int  # index of the heading line
    items: tuple[AreaForImprovement, ...]
    prose: str = ""  # a section written as a paragraph, not a list


def _bullet(text: str) -> str | None:
    """The text after a leading bullet glyph, or None if the line does not start with one."""
    first = text[:1]
    if not first:
        return None
    category = unicodedata.category(first)
    if first in _BULLETS or category in ("Co", "So", "Mn", "Sm"):
        rest = text[1:].lstrip()
        if rest and (rest != text[1:] or category in ("Co", "Mn")):
            return rest
    return None


def _join(lines: list[Line]) -> str:
    """Wrapped lines as one: a line ending in a hyphen or dash runs on without a space."""
    out = ""
    for n, line in enumerate(lines):
        if n:
            out += "" if lines[n - 1].joined else " "
        out += line.text
    return out


def _clean(item: Item) -> AreaForImprovement:
    first, *subs = item.lines
    text = _join(first)
    for sub in subs:
        text += "\n" + _join(sub)
    framework = None
    match = _FRAMEWORK.search(text)
    if match:
        framework = re.sub(r"\s+", " ", match[1]).strip()
        text = (text[: match.start()] + text[match.end() :]).strip()
    paragraphs: tuple[str, ...] = ()
    match = _SIF_REFS.search(text)
    if match:
        refs = re.split(r"paragraphs?", match[1], flags=re.IGNORECASE)[-1]
        paragraphs = tuple(re.findall(r"\d+", refs))
        text = (text[: match.start()] + text[match.end() :]).strip()
    text = re.sub(r"[ \t]+([.,;:])", r"\1", text) if framework or paragraphs else text
    return AreaForImprovement(item.number, text.strip(), framework, paragraphs)


def _start(line: Line) -> tuple[str | None, str] | None:
    """(number or None, text) if the line starts an item."""
    match = _NUMBERED.match(line.text)
    if match:
        return match[1], line.text[match.end() :]
    rest = _bullet(line.text)
    return (None, rest) if rest is not None else None


def _items(lines: list[Line]) -> tuple[list[Item], list[Line]]:
    """The list after a heading, and prose lines if it is a paragraph instead."""
    items: list[Item] = []
    prose: list[Line] = []
    margin: float | None = None
    for line in lines:
        start = _start(line)
        if line.bold or _HEADING.match(line.text):
            break
        if start is not None and (margin is None or line.x <= margin + INDENT):
            if margin is None:
                margin = line.x
            items.append(Item(start[0], [[_replace(line, start[1])]]))
        elif start is not None and items:
            items[-1].lines.append([_replace(line, start[1])])
        elif items and margin is not None and line.x > margin + INDENT:
            items[-1].lines[-1].append(line)
        elif (not items and not prose) or (prose and line.x <= prose[0].x + INDENT):
            prose.append(line)
            if line.text.endswith((".", "?", "!")) and len(line.text) < 60:
                break
        else:
            break
    return items, prose


def _replace(line: Line, text: str) -> Line:
    return Line(line.page, text, line.x, line.size, line.bold, line.joined)


def sections(lines: list[Line]) -> list[Section]:
    """Every areas-for-improvement list, in order (a SIF report has two)."""
    found = []
    lines = [line for line in lines if not line.small]
    for index, line in enumerate(lines):
        if not _HEADING.match(line.text):
            continue
        items, prose = _items(lines[index + 1 :])
        if not items and not (prose and line.bold):
            continue
        found.append(
            Section(
                line.text,
                index,
                tuple(_clean(item) for item in items),
                "" if items else _join(prose),
            )
        )
    return found
