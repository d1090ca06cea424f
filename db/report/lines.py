"""A PDF's text as lines that know their page, size, weight and indent (pypdf's text visitor).

Page furniture goes here, on general signs rather than per-report rules: the running header and
footer and the footnotes are set smaller than the body text, page numbers stand alone, and
footnote marks are superscripts (smaller digits inside a body line).
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, PdfReadError

from db.report.content import prepare

MAX_PAGES = 200
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?\s*$", re.IGNORECASE)
_DIGITS = re.compile(r"^\s*\d{1,2}\s*$")


class ReportError(Exception):
    """The file is not a report we can read; the message is one line for the user."""


@dataclass(frozen=True)
class Line:
    page: int
    text: str
    x: float
    size: float
    bold: bool
    joined: bool = False  # ends in a hyphen or dash with no space: the next line runs on
    small: bool = False  # set smaller than the body: header, footer, footnote (or a table)


@dataclass
class _Chunk:
    text: str
    x: float
    size: float
    bold: bool


def _font_size(size: float, cm: list[float], tm: list[float]) -> float:
    return round(size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]), 1)


def _page_chunks(page: Any) -> list[list[_Chunk]]:
    """The page's lines, each as the text runs pypdf visits (with "\\n" between lines)."""
    lines: list[list[_Chunk]] = [[]]

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        name = str((font or {}).get("/BaseFont", ""))
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        parts = text.split("\n")
        for n, part in enumerate(parts):
            if n:
                lines.append([])
            if part:
                lines[-1].append(_Chunk(part, x, _font_size(size, cm, tm), "bold" in name.lower()))

    prepare(page)  # its content stream read fast (db.report.content), else by pypdf
    page.extract_text(visitor_text=visit)
    return lines


def _open(path: Path) -> PdfReader:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReportError(f"{path.name}: the PDF is encrypted; send the published copy")
        if len(reader.pages) > MAX_PAGES:
            raise ReportError(f"{path.name}: {len(reader.pages)} pages is too long for a report")
    except ReportError:
        raise
    except DependencyError:  # AES: pypdf needs `cryptography`, which the bot does not install
        raise ReportError(f"{path.name}: the PDF is encrypted; send the published copy") from None
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"{path.name}: not a readable PDF ({exc})") from None
    return reader


def read_chunks(path: Path) -> list[list[list[_Chunk]]]:
    """Every page's lines of text runs; ReportError if the file cannot be read."""
    reader = _open(path)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        pages = [_page_chunks(page) for page in reader.pages]
    except ReportError:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged streams
        raise ReportError(f"{path.name}: the PDF is damaged ({type(exc).__name__})") from None
    if sum(len(c.text.strip()) for page in pages for line in page for c in line) < 200:
        raise ReportError(f"{path.name}: the PDF has no text (a scan?); send the published copy")
    return pages


def _body_size(pages: list[list[list[_Chunk]]]) -> float:
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page:
            for chunk in line:
                sizes[chunk.size] += len(chunk.text.strip())
    return sizes.most_common(1)[0][0]


def _line(page: int, chunks: list[_Chunk], body: float) -> Line | None:
    """One line with superscript footnote marks dropped, or None for furniture."""
    inked = [c for c in chunks if c.text.strip()]
    if not inked:
        return None
    weight: Counter[float] = Counter()
    for c in inked:
        weight[c.size] += len(c.text.strip())
    size = weight.most_common(1)[0][0]
    kept = [c for c in chunks if not (c.size < size - 1.5 and _DIGITS.match(c.text))]
    raw = "".join(c.text for c in kept)
    text = raw.strip()
    if not text or _PAGE_NUMBER.match(text):
        return None
    letters = sum(len(c.text.strip()) for c in inked)
    bold = sum(len(c.text.strip()) for c in inked if c.bold) * 2 > letters
    joined = raw.endswith(("-", "\u2013", "\u2014"))
    small = size < body - 0.5
    return Line(page, re.sub(r"\s+", " ", text), inked[0].x, size, bold, joined, small)


def read_lines(path: Path) -> list[Line]:
    """The report's lines in reading order, page numbers removed, smaller type marked."""
    pages = read_chunks(path)
    body = _body_size(pages)
    found = []
    for number, page in enumerate(pages, start=1):
        for chunks in page:
            line = _line(number, chunks, body)
            if line is not None:
                found.append(line)
    return found
