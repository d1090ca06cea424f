"""`ofsted-bot plan draft REPORT.pdf`: a plan file drafted from a published Ofsted report."""

from __future__ import annotations

import argparse
import sys
import textwrap
from datetime import date
from pathlib import Path

from bot.settings import Settings
from db.planfile import PlanFileError, parse_plan_file
from db.report.draft import Draft, build_draft, to_yaml
from db.report.lines import ReportError


def summary(draft: Draft) -> list[str]:
    """What was found, a line or so each (for the terminal)."""
    lines = [f"{draft.council} ({draft.framework})"]
    for plan in draft.plans:
        recs = len(plan.recommendations)
        lines.append(
            f"  {plan.key}: {recs} recommendation{'' if recs == 1 else 's'}, "
            f"{len(plan.judgements)} judgement{'' if len(plan.judgements) == 1 else 's'}"
            + (f", overall {plan.overall}" if plan.overall else "")
        )
    return lines


def draft_file(pdf: Path, published: date | None = None) -> tuple[Draft, str]:
    """The draft and its YAML, checked to be a plan file `plan import` accepts as it is."""
    draft = build_draft(pdf, published)
    text = to_yaml(draft, pdf.name)
    parse_plan_file(f"{pdf.stem}.yaml", text)  # PlanFileError would be our bug, not the user's
    return draft, text


def cmd_plan_draft(args: argparse.Namespace, settings: Settings) -> int:
    pdf = Path(args.report)
    if not pdf.is_file():
        print(f"ofsted-bot: no file {args.report!r}", file=sys.stderr)
        return 2
    try:
        draft, text = draft_file(pdf, args.published)
    except ReportError as exc:
        print(f"ofsted-bot: {exc}", file=sys.stderr)
        return 2
    except PlanFileError as exc:
        print(f"ofsted-bot: {pdf.name}: the draft is not a valid plan file: {exc}", file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        for line in summary(draft):
            print(line, file=sys.stderr)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def add_parser(plan_verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    draft = plan_verbs.add_parser(
        "draft",
        help="draft a plan file from a published Ofsted report (PDF)",
        description=textwrap.dedent(
            """\
            Reads the report's areas for improvement (verbatim), judgements, inspection dates
            and lead inspector into a plan file that `plan validate` and `plan import` accept.
            No actions are invented. Exit 2 if the file is not a readable Ofsted report."""
        ),
    )
    draft.add_argument("report", metavar="REPORT.pdf")
    draft.add_argument("--out", help="file to write (default: standard output)")
    draft.add_argument(
        "--published",
        type=date.fromisoformat,
        help="publication date (YYYY-MM-DD) when the report does not print one",
    )
    draft.set_defaults(handler=cmd_plan_draft)
