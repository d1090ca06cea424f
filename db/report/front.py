"""What the report's first page says: who was inspected, when, by whom, and the judgements."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from db.report.lines import Line

GRADES = ("Requires improvement to be good", "Requires improvement", "Outstanding", "Good")
_GRADE = re.compile(
    r"^(.*?)\s*\b(Requires improvement to be good|Requires improvement|Outstanding|Good|"
    r"Inadequate)\s*$"
)
_MONTHS = {
    m: n
    for n, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december)"
_SPAN = re.compile(
    rf"(\d{{1,2}})(?:\s+{_MONTH})?(?:\s+(\d{{4}}))?\s*(?:to|–|-|—)\s*(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})",
    re.IGNORECASE,
)
_DATE = re.compile(rf"(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})", re.IGNORECASE)
_SIF_AREA = re.compile(
    r"(\d(?:\.\d)?)\.?\s+(.+?)\s+(Requires improvement|Outstanding|Good|Inadequate)"
    r"(?=\s+\d|\s*$)"
)
_LSCB = re.compile(
    r"^(The Local Safeguarding Children Board) (?:is (.+?)|(requires .+?))\.?$", re.IGNORECASE
)
_TITLE_WORDS = re.compile(r"^Inspection of (.+?)(?: local authority)? children[’']s services$")


@dataclass(frozen=True)
class Judgement:
    area: str
    grade: str


@dataclass(frozen=True)
class Front:
    council: str
    inspected: tuple[date, date] | None
    lead_inspector: str | None
    published: date | None
    overall: str | None
    judgements: tuple[Judgement, ...]
    lscb: Judgement | None
    sif: bool


def parse_date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    return date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))


def _span(text: str) -> tuple[date, date] | None:
    match = _SPAN.search(text)
    if not match:
        return None
    end = date(int(match[6]), _MONTHS[match[5].lower()], int(match[4]))
    month = _MONTHS[match[2].lower()] if match[2] else end.month
    start = date(int(match[3]) if match[3] else end.year, month, int(match[1]))
    return start, end


def _labelled(lines: list[Line], label: str) -> str | None:
    for line in lines:
        if line.text.lower().startswith(label):
            return line.text.split(":", 1)[1].strip()
    return None


def _council(title: list[Line]) -> str:
    """The authority as the title names it: "Inspection of Lambeth local authority children's
    services", or the name above "Inspection of children's social care services"."""
    joined = " ".join(line.text for line in title)
    match = _TITLE_WORDS.match(joined)
    if match:
        return match[1].strip()
    match = re.match(r"^Inspection of (.+)$", joined)
    if match and "services" not in match[1]:
        return match[1].strip()
    names = []
    for line in title:
        if line.text.startswith("Inspection of") or line.text == "and":
            break
        names.append(line.text)
    return " ".join(names).strip()


def _table(lines: list[Line]) -> tuple[list[Judgement], str | None]:
    """The ILACS judgement table: each area and its grade, and the overall effectiveness."""
    found: list[Judgement] = []
    buffer = ""
    for n, line in enumerate(lines):
        buffer = f"{buffer} {line.text}".strip()
        match = _GRADE.match(buffer)
        following = lines[n + 1].text if n + 1 < len(lines) else ""
        if match and _GRADE.match(f"{buffer} {following}") and following.startswith("to be"):
            continue  # "Requires improvement" / "to be good" on two lines
        if match and match[1]:
            if match[1].lower() == "overall effectiveness":
                return found, match[2]
            found.append(Judgement(match[1], match[2]))
            buffer = ""
        elif len(buffer) > 250:
            break
    return found, None


def _sif_table(lines: list[Line]) -> tuple[list[Judgement], str | None]:
    """SIF: "Children's services in X are good", then "1. Children who need help ... Good"."""
    text = " ".join(line.text for line in lines[:20])
    overall = None
    match = re.search(r"Children[’']s services in .+? (?:are|is) (.+?)\.? (?=1\.)", text)
    match = match or re.search(r"Children[’']s services in .+? (requires? .+?)\.? (?=1\.)", text)
    if match:
        overall = match[1]
    start = text.find(" 1. ")
    end = text.find("Executive summary")
    table = text[start : end if end > start else None]
    found = [Judgement(m[2], m[3]) for m in _SIF_AREA.finditer(table)]
    return found, overall


def front(lines: list[Line]) -> Front:
    first = [line for line in lines if line.page == 1]
    title: list[Line] = []
    for line in first:
        if line.text.lower().startswith("inspection date"):
            break
        title.append(line)
    sif = any("Local Safeguarding Children" in line.text for line in title)
    dates = _labelled(first, "inspection date")
    lead = _labelled([line for line in lines if not line.small], "lead inspector")
    if lead:
        lead = re.split(r",|\s+HMI\b", lead)[0].strip() or None
    published = _labelled(first, "report published")
    start = next((n for n, line in enumerate(first) if line.text.startswith("Judgement")), None)
    if sif:
        judgements, overall = _sif_table([x for x in first[len(title) :] if not x.small])
    elif start is not None:
        judgements, overall = _table(first[start + 1 :])
    else:
        judgements, overall = [], None
    lscb = None
    for line in lines:
        match = _LSCB.match(line.text)
        if match and sif:
            lscb = Judgement(match[1], match[2] or match[3])
            break
    return Front(
        council=_council(title),
        inspected=_span(dates) if dates else None,
        lead_inspector=lead,
        published=parse_date(published) if published else None,
        overall=overall,
        judgements=tuple(judgements),
        lscb=lscb,
        sif=sif,
    )
