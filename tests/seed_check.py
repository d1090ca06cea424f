"""A plan file checked against what its seeds print (the ledger in tests/seed_ledger.py).

The recommendations are read from the seed itself (numbering, order, completeness, text,
paragraphs); judgements, dates and cadences are the ledger's values, each quotation of which
must be printed in the seed and hold its value. What no seed prints must be marked
`illustrative`. `problems()` lists every departure; an empty list is a plan as printed.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from seed_ledger import BOARDS, PLANS, SOURCES, WEEKS, Item, PlanLedger, Printed, normalise

from db.planfile import BoardSpec, PlanFile, PlanSpec, RecommendationSpec


def read_list(seed_text: str, printed: Printed) -> list[Item]:
    """The items of a list as the seed prints them, in order."""
    start = seed_text.index(printed.start) + len(printed.start)
    end = seed_text.index(printed.end, start)
    marker = re.compile(printed.marker)
    items: list[tuple[str | None, list[str]]] = []
    for line in seed_text[start:end].splitlines():
        match = marker.match(line)
        if match:
            items.append((match.groupdict().get("n"), [line[match.end() :]]))
        elif line.strip() and items:
            items[-1][1].append(line)
    return [Item(number, normalise(" ".join(parts))) for number, parts in items]


def _quoted(seed: str, quote: str, value: str) -> list[str]:
    """The ledger's own check: the quotation is printed in the seed and holds the value."""
    found = []
    if normalise(quote) not in seed:
        found.append(f"ledger: {quote!r} is not printed in the seed")
    if value.lower() not in quote.lower():
        found.append(f"ledger: {quote!r} does not say {value!r}")
    return found


def _dated(seed: str, day: date, quotes: tuple[str, ...]) -> list[str]:
    """The quotations are printed and one of them gives the day (its number and month)."""
    month = day.strftime("%B").lower()
    if not any(str(day.day) in q and month in q.lower() for q in quotes):
        return [f"ledger: no quotation gives {day}"]
    return [p for q in quotes for p in _quoted(seed, q, "")]


def _expected_number(index: int, item: Item, response: Item | None) -> tuple[str, bool]:
    if item.number:
        return item.number, True
    if response and response.number:
        return response.number, True
    return str(index + 1), False


def _rec_problems(plan: PlanSpec, ledger: PlanLedger, seed: str) -> list[str]:
    items = read_list(seed, ledger.texts)
    responses = read_list(seed, ledger.responses) if ledger.responses else []
    recs = plan.recommendations
    found = []
    if len(recs) != len(items) or (responses and len(responses) != len(items)):
        found.append(f"{len(recs)} recommendations; the seed prints {len(items)}")
    for index, (rec, item) in enumerate(zip(recs, items, strict=False)):
        response = responses[index] if index < len(responses) else None
        number, printed = _expected_number(index, item, response)
        where = f"recommendation {rec.number} (item {index + 1})"
        if rec.number != number:
            found.append(f"{where}: numbered {rec.number!r}, the seed's is {number!r}")
        if printed == ("number" in rec.illustrative):
            found.append(f"{where}: number printed={printed} but marked {rec.illustrative}")
        if normalise(rec.text) != item.text:
            found.append(f"{where}: text is not the seed's: {rec.text[:60]!r} / {item.text[:60]!r}")
        paragraphs = [ledger.texts.paragraph or number]
        if ledger.responses and ledger.responses.paragraph:
            paragraphs.append(ledger.responses.paragraph)
        if rec.paragraphs != paragraphs:
            found.append(f"{where}: paragraphs {rec.paragraphs}, printed in {paragraphs}")
        if response and normalise(rec.response or "") != response.text:
            found.append(f"{where}: response is not the seed's {response.text[:60]!r}")
        if not response and rec.response:
            found.append(f"{where}: a response the seed does not print")
        found += _marks(where, plan, rec, ledger, seed)
    return found


def _marks(
    where: str, plan: PlanSpec, rec: RecommendationSpec, ledger: PlanLedger, seed: str
) -> list[str]:
    """What the seed does not print is marked illustrative; findings are paragraphs it has."""
    found = []
    for name in ("theme", "area", "findings"):
        if getattr(rec, name) and name not in rec.illustrative:
            found.append(f"{where}: {name} is not printed, yet not marked illustrative")
    for paragraph in rec.findings:
        if not re.search(rf"(?m)^\s*-?\s*{re.escape(paragraph)}\. ", seed):
            found.append(f"{where}: finding paragraph {paragraph} is not in the seed")
    if not ledger.actions_filed:
        for action in rec.actions:
            if "recommendation" not in action.illustrative:
                found.append(f"{plan.key} {action.ref}: filed under a recommendation unmarked")
    return found


def _judgement_problems(plan: PlanSpec, ledger: PlanLedger, seed: str) -> list[str]:
    found = []
    given = [(j.area, j.grade) for j in plan.judgements]
    printed = [(area, grade) for area, grade, _ in ledger.judgements]
    if given != printed:
        found.append(f"judgements {given}, printed {printed}")
    overall = ledger.overall[0] if ledger.overall else None
    if plan.overall != overall:
        found.append(f"overall {plan.overall!r}, printed {overall!r}")
    quoted = [(grade, quote) for _, grade, quote in ledger.judgements]
    for grade, quote in quoted + ([ledger.overall] if ledger.overall else []):
        found += _quoted(seed, quote, grade)
        if grade not in quote:  # exactly as printed: case and all
            found.append(f"ledger: {quote!r} does not print {grade!r}")
    return found


def _date_problems(plan: PlanSpec, ledger: PlanLedger, seed: str) -> list[str]:
    found = []
    span = ledger.inspected[:2] if ledger.inspected else (None, None)
    if plan.inspected_span != span:
        found.append(f"inspected {plan.inspected}, printed {span}")
    if ledger.inspected:
        for day in ledger.inspected[:2]:
            found += _dated(seed, day, ledger.inspected[2])
    for name in ("published", "submitted"):
        fact: tuple[date, str] | None = getattr(ledger, name)
        printed = fact[0] if fact else None
        if getattr(plan, name) != printed:
            found.append(f"{name} {getattr(plan, name)}, printed {printed}")
        if fact:
            found += _dated(seed, fact[0], (fact[1],))
    if plan.received is not None:
        found.append(f"received {plan.received}: no seed prints it")
    return found


def _theme_problems(plan: PlanSpec, ledger: PlanLedger, seed: str) -> list[str]:
    found = []
    for theme in plan.themes:
        if not theme.illustrative and theme.title not in ledger.themes_printed:
            found.append(f"theme {theme.key} is not printed, yet not marked illustrative")
    for title in ledger.themes_printed:
        found += _quoted(seed, title, title)
    return found


def _board_problems(board: BoardSpec, seeds: Path) -> list[str]:
    ledger = BOARDS.get(board.key)
    if ledger is None:
        return ["not in the ledger of what the seeds print"]
    seed = normalise((seeds / ledger.seed).read_text(encoding="utf-8"))
    found = []
    printed = {
        "every_weeks": ledger.every_weeks,
        "anchor": ledger.anchor,
        "plans": (tuple(ledger.plans[0]), ledger.plans[1]) if ledger.plans else None,
    }
    given: dict[str, object] = {
        "every_weeks": board.every_weeks,
        "anchor": board.anchor,
        "plans": tuple(board.plans),
    }
    for name, fact in printed.items():
        if name in board.illustrative:
            continue
        if fact is None:
            found.append(f"{name} is not printed, yet not marked illustrative")
        elif given[name] != fact[0]:
            found.append(f"{name} {given[name]!r}, printed {fact[0]!r}")
    if ledger.every_weeks:
        found += _quoted(seed, ledger.every_weeks[1], WEEKS[ledger.every_weeks[0]])
    if ledger.anchor:
        found += _dated(seed, ledger.anchor[0], (ledger.anchor[1],))
    if ledger.plans:
        found += _quoted(seed, ledger.plans[1], "")
    for name in ("channel", "secretary"):
        if getattr(board, name) and name not in board.illustrative:
            found.append(f"{name} is not printed, yet not marked illustrative")
    return found


def problems(spec: PlanFile, seeds: Path) -> list[str]:
    """Every way the plan file departs from what its seeds print (empty: none)."""
    found = []
    files = {s.key: s.file for s in spec.sources}
    for source in spec.sources:
        dated = SOURCES.get(source.file or "")
        if dated is None or source.published != dated[0]:
            found.append(f"source {source.key}: published {source.published}, dated {dated}")
        elif dated:
            seed = normalise((seeds / (source.file or "")).read_text(encoding="utf-8"))
            found += [f"source {source.key}: {p}" for p in _dated(seed, dated[0], (dated[1],))]
    for plan in spec.plans:
        ledger = PLANS.get(plan.key)
        if ledger is None or files.get(plan.source or "") != ledger.seed:
            found.append(f"{plan.key}: not in the ledger, or not taken from its seed")
            continue
        raw = (seeds / ledger.seed).read_text(encoding="utf-8")
        seed = normalise(raw)
        for check in (_judgement_problems, _date_problems, _theme_problems):
            found += [f"{plan.key}: {p}" for p in check(plan, ledger, seed)]
        found += [f"{plan.key}: {p}" for p in _rec_problems(plan, ledger, raw)]
    for board in spec.boards:
        found += [f"board {board.key}: {p}" for p in _board_problems(board, seeds)]
    return found
