"""Views of a plan drafted from a report sent to the bot (bot/listeners/reports.py)."""

from __future__ import annotations

from datetime import date

from commands.ids import ActionId, DraftRef
from commands.views.kit import (
    Kit,
    Reply,
    button,
    buttons,
    context,
    escape,
    header,
    keep_within_limits,
    mrkdwn,
)
from db.plan_import import ImportReport
from db.report.draft import Draft, DraftPlan

SECTION = 2900  # characters a recommendations section holds (Slack: 3,000)


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _facts(plan: DraftPlan) -> str:
    facts = [f"*{escape(plan.title)}* (`{plan.key}`)"]
    if plan.inspected:
        facts.append(f"Inspected {_day(plan.inspected[0])} to {_day(plan.inspected[1])}")
    if plan.lead_inspector:
        facts.append(f"Lead inspector: {escape(plan.lead_inspector)}")
    facts.append(
        f"Published {_day(plan.published)}" if plan.published else "Publication date: not printed"
    )
    grades = [f"• {escape(j.area)}: *{escape(j.grade)}*" for j in plan.judgements]
    if plan.overall:
        grades.append(f"• Overall effectiveness: *{escape(plan.overall)}*")
    return "\n".join(facts + grades)


def _recommendations(plan: DraftPlan) -> list[Kit]:
    """The recommendations, as many to a section as fit."""
    if not plan.recommendations:
        return [mrkdwn("_The report lists no areas for improvement._")]
    sections: list[Kit] = []
    text = ""
    for rec in plan.recommendations:
        number = rec.number if rec.printed else f"{rec.number} (bullet)"
        line = f"*{number}.* {escape(' '.join(rec.text.split()))}"
        if rec.framework:
            line += f" _({escape(rec.framework)})_"
        line = line[:SECTION]
        if text and len(text) + len(line) + 1 > SECTION:
            sections.append(mrkdwn(text))
            text = ""
        text = f"{text}\n{line}" if text else line
    sections.append(mrkdwn(text))
    return sections


def draft_view(draft: Draft, source: str, file_id: str | None) -> Reply:
    """What the bot found in the report, and the buttons that import it."""
    blocks: list[Kit | None] = [header(f"Draft plan: {draft.council}")]
    for plan in draft.plans:
        blocks.append(mrkdwn(_facts(plan)))
        blocks.extend(_recommendations(plan))
    blocks.append(
        context(
            f"From {escape(source)} ({draft.framework}). The recommendations are the report's "
            "words; no actions, owners or dates are invented: add them to the file, or import "
            "as it is and add them later."
        )
    )
    if file_id is not None:
        blocks.append(
            buttons(
                button("Import as a new plan", ActionId.IMPORT_DRAFT, DraftRef(file=file_id)),
                button(
                    "Import and make it current",
                    ActionId.IMPORT_DRAFT,
                    DraftRef(file=file_id, current=True),
                ),
            )
        )
    count = sum(len(p.recommendations) for p in draft.plans)
    text = f"Draft plan for {draft.council}: {count} recommendations"
    return Reply(keep_within_limits(blocks), text)


def refused_view(text: str) -> Reply:
    return Reply([mrkdwn(escape(text))], text)


def imported_view(report: ImportReport) -> Reply:
    text = f"Imported: {report.summary()}. The current plan is {report.current or 'not set'}."
    notes = [escape(note) for note in report.notes]
    return Reply([mrkdwn("\n".join([escape(text), *notes]))], text)
