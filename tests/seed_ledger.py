"""What the seed documents (../shared/seeds) print, for the check in tests/seed_check.py.

For each shipped plan the ledger says where in its seed the recommendations are printed (the
text after which the list starts, the text at which it ends, how an item begins); the items are
read from the seed itself, so the check compares numbering, order, completeness, text and
paragraphs with what is printed. Judgements, dates and board cadences are values the ledger
states with the seed's own words beside them: every quotation must be printed in the seed and
hold the value (a grade, a day and month, a number of weeks), so the ledger cannot drift from
the seeds either. What a seed does not print must be marked `illustrative` in the plan file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_BOLD_OR_TAG = re.compile(r"\*\*|</?[a-z]+>")


def normalise(text: str) -> str:
    """Text without line breaks, runs of white space, `**` bold marks or HTML tags."""
    return re.sub(r"\s+", " ", _BOLD_OR_TAG.sub("", text)).strip()


@dataclass(frozen=True)
class Printed:
    """A list printed in a seed: between `start` and `end`, each item beginning with `marker`
    (a line; group `n`, if any, is the number printed); `paragraph` is the paragraph the list
    is in (None: each item is its own paragraph, numbered as printed, as in SIF reports)."""

    start: str
    end: str
    marker: str
    paragraph: str | None


@dataclass(frozen=True)
class Item:
    number: str | None
    text: str


@dataclass(frozen=True)
class PlanLedger:
    seed: str
    texts: Printed
    responses: Printed | None = None  # the council's restatement and answer, item by item
    overall: tuple[str, str] | None = None  # grade, quotation
    judgements: tuple[tuple[str, str, str], ...] = ()  # area, grade, quotation
    inspected: tuple[date, date, tuple[str, ...]] | None = None  # first, last day, quotations
    published: tuple[date, str] | None = None
    submitted: tuple[date, str] | None = None  # the written action plan sent to Ofsted
    themes_printed: tuple[str, ...] = ()  # theme titles the seed prints
    actions_filed: bool = False  # the seed prints each action under its recommendation


@dataclass(frozen=True)
class BoardLedger:
    seed: str
    every_weeks: tuple[int, str] | None = None  # weeks, quotation
    anchor: tuple[date, str] | None = None
    plans: tuple[tuple[str, ...], str] | None = None  # plan keys, quotation


def _span(first: date, last: date, *quotes: str) -> tuple[date, date, tuple[str, ...]]:
    return first, last, quotes


_DASH = r"^\s*-\s+"
_SIF = Printed("## Recommendations", "## Summary for children", r"^(?P<n>\d+)\.\s+", None)

PLANS: dict[str, PlanLedger] = {
    "ilacs-2022": PlanLedger(
        seed="000_7e2be1bf9fc8221f.txt",
        texts=Printed("The recommendations are to improve:", "\n11. ", _DASH, "10"),
        overall=(
            "requires improvement to be good",
            "a judgement in all four areas of 'requires improvement to be good'",
        ),
        judgements=tuple(
            (area, "requires improvement to be good", "'requires improvement to be good'")
            for area in (
                "The experiences and progress of children who need help and protection",
                "The experiences and progress of children in care and care leavers",
                "The impact of leaders on social work practice with children and families",
                "Overall effectiveness",
            )
        ),
        inspected=_span(
            date(2022, 1, 10),
            date(2022, 1, 28),
            "On Monday 10 January 2022",
            "Friday 28 January Feeding back inspection findings",
        ),
        published=(date(2022, 3, 9), "published on their website on 9 March 2022"),
    ),
    "ilacs-2018": PlanLedger(
        seed="001_72f0b2a49fe8bfa9.txt",
        texts=_SIF,
        overall=("inadequate", "Children’s services in Surrey are inadequate"),
        judgements=(
            (
                "Children who need help and protection",
                "inadequate",
                "services for children in need of help and protection remain inadequate",
            ),
            (
                "Children looked after and achieving permanence",
                "Requires Improvement",
                "2. Children looked after and achieving permanence Requires Improvement",
            ),
            (
                "Adoption performance",
                "good",
                "The graded judgement for adoption performance is that it is good",
            ),
            (
                "Experiences and progress of care leavers",
                "requires improvement to be good",
                "progress of care leavers is that it requires improvement to be good",
            ),
            (
                "Leadership, management and governance",
                "Inadequate",
                "3. Leadership, management and governance Inadequate",
            ),
        ),
        inspected=_span(
            date(2018, 2, 26), date(2018, 3, 22), "Inspection date: 26 February 2018–22 March 2018"
        ),
        published=(date(2018, 5, 16), "Report published: 16 May 2018"),
    ),
    "commissioner-2018": PlanLedger(
        seed="004_108dd775b9dfc188.txt",
        texts=Printed("Trevor's report. These are:", "Ofsted Monitoring", _DASH, "3"),
        published=(date(2018, 10, 31), "to Surrey County Council on 31 October 2018"),
        themes_printed=(
            "Strategic Leadership and Governance",
            "Quality of Practice & Planning",
            "Identifying Needs – Providing the Right Help at the Right Time by the Right People",
            "Practice Leadership",
            "Participation, Engagement & Co-Production",
        ),
    ),
    "monitoring-2021": PlanLedger(
        seed="002_547a5da390026621.txt",
        texts=Printed(
            "The priority improvements following the feedback include:",
            "#### **Ofsted Inspections",
            _DASH,
            "13",
        ),
        inspected=_span(
            date(2021, 9, 7),
            date(2021, 9, 8),
            "On 7 and 8 September, Ofsted carried out their 5th monitoring visit",
        ),
        published=(date(2021, 10, 12), "published on 12 October 2021"),
    ),
    "cwd-review-2021": PlanLedger(
        seed="002_547a5da390026621.txt",
        texts=Printed(
            "progressed as a priority over the coming months. These include:",
            "## **Mindworks Surrey**",
            r"^\s*-\s+(?P<n>[a-z])\)\s+",
            "46",
        ),
    ),
    "fostering-review-2021": PlanLedger(
        seed="002_547a5da390026621.txt",
        texts=Printed(
            "some of the recommendations identified include:",
            "## Conclusions:",
            r"^\s*-\s+(?P<n>[a-z])\)\s+",
            "58",
        ),
    ),
    "ilacs-2019": PlanLedger(
        seed="003_5053929e3e24eef3.txt",
        texts=Printed("the following areas needed to improve:", "\n4. ", _DASH, "3"),
        responses=Printed(
            "which we are focussing on in our response:",
            "Next steps",
            r"^\s*-\s+(?P<n>[A-F])\.\s+",
            "10",
        ),
        overall=(
            "requires improvement",
            "The overall effectiveness is therefore also 'requires improvement'",
        ),
        judgements=tuple(
            (
                area,
                "requires improvement",
                "The overall effectiveness is therefore also 'requires improvement'",
            )
            for area in (
                "The experiences and progress of children who need help and protection",
                "The experiences and progress of children in care and care leavers",
                "The impact of leaders on social work practice with children and families",
                "Overall effectiveness",
            )
        ),
        inspected=_span(date(2019, 5, 20), date(2019, 5, 24), "Between 20th May and 24th May 2019"),
        submitted=(date(2019, 10, 3), "This was submitted on 3 October 2019"),
        actions_filed=True,
    ),
}

BOARDS: dict[str, BoardLedger] = {
    "aeb": BoardLedger(
        seed="000_7e2be1bf9fc8221f.txt",
        every_weeks=(6, "The Achieving Excellence Board will be meeting every 6 weeks"),
        plans=(("ilacs-2022",), "not just for the 6 recommended areas"),
    ),
    "opab": BoardLedger(
        seed="004_108dd775b9dfc188.txt",
        every_weeks=(8, "The board meets every eight weeks"),
        anchor=(date(2018, 9, 19), "met for the first time on 19 September 2018"),
    ),
    "g2g": BoardLedger(
        seed="002_547a5da390026621.txt",
        every_weeks=(1, "The GtG Working Group continues to meet weekly"),
    ),
    "csmg": BoardLedger(
        seed="003_5053929e3e24eef3.txt",
        plans=(
            ("ilacs-2019",),
            "oversight of the work relating to the implementation of our response to the ILACS",
        ),
    ),
}

WEEKS = {1: "weekly", 6: "6 weeks", 8: "eight weeks"}

SOURCES: dict[str, tuple[date, str]] = {  # a seed file: the day it is dated, as printed
    "000_7e2be1bf9fc8221f.txt": (date(2022, 7, 6), "Wednesday, 6 July 2022"),
    "001_72f0b2a49fe8bfa9.txt": (date(2018, 5, 16), "Report published: 16 May 2018"),
    "002_547a5da390026621.txt": (date(2022, 1, 17), "Monday, 17 January 2022"),
    "003_5053929e3e24eef3.txt": (date(2019, 11, 14), "14 NOVEMBER 2019"),
    "004_108dd775b9dfc188.txt": (date(2018, 12, 18), "DATE: TUESDAY 18 DECEMBER 2018"),
}
