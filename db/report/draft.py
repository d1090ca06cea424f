"""A report read into a draft plan file: what was found, and the YAML `plan import` takes.

Nothing is invented: the recommendations are the report's own areas for improvement, verbatim;
their findings are the paragraphs the report cites and those the search index finds closest;
there are no actions, owners or dates (the council adds them).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from db.report.front import Front, Judgement, front
from db.report.lines import Line, ReportError, read_lines
from db.report.paragraphs import paragraphs
from db.report.sections import AreaForImprovement, Section, sections
from db.search_index import Document, SearchIndex

MAX_FINDINGS = 3
FINDING_SHARE = 0.6  # a paragraph is a finding if it scores this share of the best one


@dataclass(frozen=True)
class Recommendation:
    number: str
    printed: bool
    text: str
    framework: str | None
    findings: tuple[str, ...]
    area: str | None = None


@dataclass(frozen=True)
class DraftPlan:
    key: str
    title: str
    inspected: tuple[date, date] | None
    lead_inspector: str | None
    published: date | None
    overall: str | None
    judgements: tuple[Judgement, ...]
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class Draft:
    council: str
    framework: str  # "ILACS" or "SIF"
    plans: tuple[DraftPlan, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def _is_report(lines_text: str) -> bool:
    text = lines_text.lower()
    return "ofsted" in text and ("children" in text and "inspection" in text)


def _findings(index: SearchIndex, item: AreaForImprovement, own: set[str]) -> tuple[str, ...]:
    found = list(item.paragraphs)
    hits = [h for h in index.search(item.text, limit=10) if h.document.ref not in own]
    best = hits[0].score if hits else 0.0
    for hit in hits:
        ref = hit.document.ref
        if hit.score >= best * FINDING_SHARE and ref not in found:
            found.append(ref)
        if len(found) >= len(item.paragraphs) + MAX_FINDINGS:
            break
    return tuple(found)


def _recommendations(
    section: Section, index: SearchIndex, own: set[str], area: str | None
) -> tuple[Recommendation, ...]:
    return tuple(
        Recommendation(
            number=item.number or str(position),
            printed=item.number is not None,
            text=item.text,
            framework=item.framework,
            findings=_findings(index, item, own),
            area=area,
        )
        for position, item in enumerate(section.items, start=1)
    )


def _plan_key(kind: str, found: Front, suffix: str = "") -> str:
    year = found.inspected[1].year if found.inspected else (found.published or date.today()).year
    return f"{kind}{suffix}-{year}"


def build_draft(path: Path, published: date | None = None) -> Draft:
    """Read the PDF at `path`; ReportError (one line) if it is not a report we can read."""
    return draft_from_lines(read_lines(path), path.name, published)


def draft_from_lines(lines: list[Line], name: str, published: date | None = None) -> Draft:
    """The draft from the report's lines (db.report.lines.read_lines)."""
    if not _is_report(" ".join(line.text for line in lines)):
        raise ReportError(f"{name}: not an Ofsted report on children's services")
    found = front(lines)
    if found.inspected is None or not found.council:
        raise ReportError(f"{name}: not an Ofsted report on children's services")
    numbered = paragraphs(lines)
    index = SearchIndex(
        Document("recommendation", int(n), "report", n, text) for n, text in numbered.items()
    )
    lists = sections(lines)
    own = {item.number for s in lists for item in s.items if item.number}
    when = published or found.published
    notes: list[str] = []
    council_list = [s for s in lists if not _after_lscb(s, lines, found)]
    lscb_list = [s for s in lists if _after_lscb(s, lines, found)]
    kind = "sif" if found.sif else "ilacs"
    recs: tuple[Recommendation, ...] = ()
    for section in council_list[:1]:
        recs = _recommendations(section, index, own, None)
        if section.prose:
            notes.append(f"'{section.heading}' is a paragraph, not a list: {section.prose}")
    if not recs:
        notes.append("The report lists no areas for improvement: the plan has no recommendations.")
    what = "services for children" if found.sif else "children's services"
    plans = [
        DraftPlan(
            key=_plan_key(kind, found),
            title=f"Ofsted inspection of {found.council} {what} ({kind.upper()})",
            inspected=found.inspected,
            lead_inspector=found.lead_inspector,
            published=when,
            overall=found.overall,
            judgements=found.judgements,
            recommendations=recs,
        )
    ]
    for section in lscb_list[:1]:
        plans.append(_lscb_plan(section, index, own, found, when))
    return Draft(found.council, kind.upper(), tuple(plans), tuple(notes))


def _after_lscb(section: Section, lines: list[Line], found: Front) -> bool:
    """A SIF report's second list is the Local Safeguarding Children Board's."""
    return (
        found.sif
        and section.heading.lower().startswith("recommendation")
        and any(
            line.text.startswith("The Local Safeguarding Children Board")
            and ("is " in line.text or "requires" in line.text)
            for line in [x for x in lines if not x.small][: section.start]
        )
    )


def _lscb_plan(
    section: Section, index: SearchIndex, own: set[str], found: Front, when: date | None
) -> DraftPlan:
    return DraftPlan(
        key=_plan_key("lscb", found),
        title=f"Ofsted review of the {found.council} Local Safeguarding Children Board (SIF)",
        inspected=found.inspected,
        lead_inspector=found.lead_inspector,
        published=when,
        overall=None,
        judgements=(found.lscb,) if found.lscb else (),
        recommendations=_recommendations(section, index, own, None),
    )


def _plan_data(plan: DraftPlan) -> dict[str, Any]:
    data: dict[str, Any] = {"key": plan.key, "title": plan.title, "kind": "inspection"}
    data["body"] = "Ofsted"
    if plan.inspected:
        data["inspected"] = f"{plan.inspected[0].isoformat()} to {plan.inspected[1].isoformat()}"
    if plan.lead_inspector:
        data["lead_inspector"] = plan.lead_inspector
    if plan.published:
        data["published"] = plan.published.isoformat()
    if plan.overall:
        data["overall"] = plan.overall
    data["judgements"] = [{"area": j.area, "grade": j.grade} for j in plan.judgements]
    data["recommendations"] = [_rec_data(r) for r in plan.recommendations]
    return data


def _rec_data(rec: Recommendation) -> dict[str, Any]:
    data: dict[str, Any] = {"number": rec.number}
    if not rec.printed:
        data["number_printed"] = False
    data["text"] = rec.text
    if rec.framework:
        data["framework"] = rec.framework
    if rec.findings:
        data["findings"] = list(rec.findings)
    return data


def _header(draft: Draft, source: str) -> str:
    lines = [
        f"Drafted by `ofsted-bot plan draft` from {source} ({draft.framework} report).",
        "Recommendations are the report's areas for improvement, verbatim, in order; a",
        "number_printed: false number is the item's position (the report prints bullets).",
        "findings: the paragraphs the report cites, then those that discuss it most.",
        "No actions, owners or dates are invented: the council adds them before import.",
        *draft.notes,
    ]
    for plan in draft.plans:
        if plan.published is None:
            lines.append(f"{plan.key}: the report prints no publication date; add `published`.")
    wrapped = [part for line in lines for part in textwrap.wrap(line, 96) or [""]]
    return "".join(f"# {line}\n" for line in wrapped)


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flow = bool(value) and all(isinstance(v, str) and len(v) < 8 for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)


def to_yaml(draft: Draft, source: str) -> str:
    """The plan file: a header comment, then council and plans (plans/README.md)."""
    data = {"council": draft.council, "plans": [_plan_data(p) for p in draft.plans]}
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return _header(draft, source) + body
