"""`ofsted-bot plan import FILE.xlsx|FILE.csv` and `plan template`: plans as spreadsheets.

The spreadsheet modules (and openpyxl) are imported only when a command needs them, so the
bot's own process never loads them.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from bot.cli_owners import SLACK_MEMBER_ID
from bot.settings import Settings
from db.database import Database

SHEET_SUFFIXES = (".xlsx", ".csv")


def is_sheet(path: str) -> bool:
    return Path(path).suffix.lower() in SHEET_SUFFIXES


def cmd_sheet_import(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    """Import a spreadsheet, or with --dry-run print what it would change and write nothing."""
    from db.sheet_changes import describe
    from db.sheet_import import ImporterNeededError, SheetImport, import_plan_sheet

    if args.by is not None and not SLACK_MEMBER_ID.fullmatch(args.by):
        print(
            f"ofsted-bot: --by {args.by!r} is not a Slack member id: give yours, like "
            "U0123ABCD (in Slack, your profile → ⋯ → Copy member ID)",
            file=sys.stderr,
        )
        return 2
    request = SheetImport(
        path=Path(args.file),
        by=args.by,
        today=datetime.now(settings.tz).date(),
        dry_run=args.dry_run,
    )
    try:
        found = import_plan_sheet(database.writes, request)
    except ImporterNeededError as exc:
        print(f"ofsted-bot: {args.file}: {exc}", file=sys.stderr)
        return 2
    heading = "dry run, nothing was written" if args.dry_run else "imported"
    print(f"{args.file}: {heading}:")
    for line in describe(found):
        print(f"  {line}")
    if args.dry_run and (found.added or found.changed):
        print(f"(to apply: ofsted-bot plan import {args.file} --by YOUR_SLACK_MEMBER_ID)")
    return 0


def cmd_plan_template(args: argparse.Namespace, settings: Settings) -> int:
    from db.sheet_export import template_csv, write_template

    out = Path(args.out or f"plan-template.{args.format}")
    if args.format == "xlsx":
        write_template(out)
    else:
        out.write_text(template_csv(), encoding="utf-8")
    print(f"wrote {out}: fill in the Actions (and for a new plan the Plans) rows, then")
    print(f"  ofsted-bot plan import {out} --dry-run")
    return 0


def add_template_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    template = verbs.add_parser(
        "template", help="write a blank spreadsheet to fill in and import (see README)"
    )
    template.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    template.add_argument("--out", help="file to write (default: plan-template.FORMAT)")
    template.set_defaults(handler=cmd_plan_template)
