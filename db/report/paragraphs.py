"""The report's numbered paragraphs (1., 2., … through the whole report), for findings.

A paragraph starts with the next number in sequence at the start of a line; headings (bold)
and smaller type are not part of it.
"""

from __future__ import annotations

import re

from db.report.lines import Line

_START = re.compile(r"^(\d{1,3})\.\s+(?=\S)")


def paragraphs(lines: list[Line]) -> dict[str, str]:
    """Paragraph number -> its text."""
    found: dict[str, list[str]] = {}
    expected = 1
    current: list[str] | None = None
    for line in lines:
        if line.small:
            continue
        match = _START.match(line.text)
        if match and int(match[1]) == expected and not line.bold:
            current = found.setdefault(match[1], [])
            current.append(line.text[match.end() :])
            expected += 1
        elif line.bold:
            current = None
        elif current is not None:
            current.append(line.text)
    return {number: " ".join(texts) for number, texts in found.items()}
