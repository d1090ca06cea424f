"""The `ofsted-bot` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select

from bot.cli_draft import add_parser as add_draft_parser
from bot.cli_jobs import add_parsers as add_job_parsers
from bot.cli_owners import add_parsers as add_owner_parsers
from bot.cli_sheets import add_template_parser, cmd_sheet_import, is_sheet
from bot.settings import DEFAULT_PLANS_FILE, Settings, SettingsError, load_settings
from db.database import Database, DatabaseUnavailableError
from db.models import Plan
from db.plan_export import NoSuchCouncilError, export_document, match_council, to_yaml
from db.plan_import import NoCurrentPlanError, import_plan_file
from db.planfile import PlanFileError, parse_plan_file, rag_warnings
from db.plans import plan_summaries

Handler = Callable[[argparse.Namespace, Settings], int]

CONSOLE_DATABASE = "ofsted-bot-console.db"


def _database(settings: Settings, *, prepare: bool = True) -> Database:
    """The database, checked to answer (DatabaseUnavailableError: one line) and, with
    `prepare`, upgraded (SQLite) and loaded with the default plans when empty."""
    database = Database.open(settings.database_url)
    if prepare:
        database.prepare(settings.plans_file)
    return database


def _serving_database(settings: Settings) -> Database:
    """The database for running the bot, its console or its jobs: CURRENT_PLAN must name a
    plan in it."""
    database = _database(settings)
    if settings.current_plan is not None:
        with database.sessions() as session:
            keys = list(session.scalars(select(Plan.key).order_by(Plan.key)))
        if settings.current_plan not in keys:
            database.dispose()
            raise SettingsError(
                f"invalid setting CURRENT_PLAN: no plan {settings.current_plan!r} "
                f"(plans: {', '.join(keys) if keys else 'none loaded yet'})"
            )
    return database


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    database = _database(settings, prepare=False)
    if args.db_command == "upgrade":
        database.upgrade(args.revision)
        print(f"database at revision {args.revision}")
    elif args.db_command == "downgrade":
        from db.session import downgrade

        downgrade(database.engine, args.revision)
        print(f"database at revision {args.revision}")
    else:
        from db.session import current_revision, head_revision

        print(f"current {current_revision(database.engine)}, head {head_revision(database.engine)}")
    return 0


def cmd_plan_validate(args: argparse.Namespace, settings: Settings) -> int:
    spec = parse_plan_file(args.file)
    recs = sum(len(p.recommendations) for p in spec.plans)
    actions = sum(len(r.actions) for p in spec.plans for r in p.recommendations)
    print(
        f"{args.file}: OK: {spec.council}, {len(spec.plans)} plans, {recs} recommendations, "
        f"{actions} actions, {len(spec.posts)} posts, {len(spec.boards)} boards"
    )
    for warning in rag_warnings(spec):
        print(f"  warning: {warning}")
    return 0


def cmd_plan_import(args: argparse.Namespace, settings: Settings) -> int:
    database = _database(settings, prepare=False)
    database.prepare(None)
    if is_sheet(args.file):
        return cmd_sheet_import(args, settings, database)
    if args.dry_run or args.by:
        print("ofsted-bot: --dry-run and --by are for .xlsx and .csv files", file=sys.stderr)
        return 2
    try:
        report = import_plan_file(database.writes, args.file, make_current=args.current or None)
    except NoCurrentPlanError as exc:
        print(f"ofsted-bot: {args.file}: {exc}; nothing was written", file=sys.stderr)
        return 1
    print(f"{args.file}: imported: {report.summary()}")
    for note in report.notes:
        print(f"  note: {note}")
    current = report.current or "none (`plan import FILE --current` sets one)"
    print(f"current plan: {current}")
    if settings.current_plan and settings.current_plan != report.current:
        print(f"  (CURRENT_PLAN={settings.current_plan} is set: `/ofsted rec N` means that plan)")
    return 0


def cmd_plan_export(args: argparse.Namespace, settings: Settings) -> int:
    from db.sheet_export import to_csv, write_xlsx

    database = _database(settings)
    with database.sessions() as session:
        try:
            council = match_council(session, args.council) if args.council else None
        except NoSuchCouncilError as exc:
            print(f"ofsted-bot: --council: {exc}", file=sys.stderr)
            return 2
        if args.format == "xlsx":
            out = Path(args.out or "plans-export.xlsx")
            write_xlsx(session, out, council)
            print(f"wrote {out}")
            return 0
        text = (
            to_yaml(export_document(session, council))
            if args.format == "yaml"
            else to_csv(session, council)
        )
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_plan_list(args: argparse.Namespace, settings: Settings) -> int:
    database = _database(settings)
    with database.sessions() as session:
        summaries = plan_summaries(session)
    if not summaries:
        print("no plans yet: load one with `ofsted-bot plan import plans/surrey.yaml`")
        return 0
    width = max(len(s.key) for s in summaries)
    council = None
    for s in summaries:
        if s.council != council:
            council = s.council
            print(council)
        mark = "*" if s.is_current else " "
        print(
            f" {mark} {s.key:<{width}}  {s.recommendations:>3} recommendations  "
            f"{s.actions:>4} actions  {s.published:<10}  {s.title}"
        )
    print("(* current plan)")
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings, intro: str = "") -> int:
    """The console keeps its own database unless DATABASE_URL names one, so trying it never
    logs updates or sends reminders in the bot's real database."""
    from bot.console import Console

    explicit = "database_url" in settings.model_fields_set
    if not explicit:
        settings = settings.model_copy(
            update={
                "database_url": f"sqlite:///{CONSOLE_DATABASE}",
                "plans_file": settings.plans_file or DEFAULT_PLANS_FILE,
            }
        )
    database = _serving_database(settings)
    if explicit:
        print(
            f"ofsted-bot: WARNING: the console is using the database DATABASE_URL names, "
            f"{database.shown_url}: the updates you log and the reminders you :tick are "
            "written there as if real (unset DATABASE_URL to try things on "
            f"{CONSOLE_DATABASE})",
            file=sys.stderr,
        )
    else:
        print(
            f"ofsted-bot: the console keeps its own database, {CONSOLE_DATABASE}, apart from "
            "the bot's (DATABASE_URL names another)",
            file=sys.stderr,
        )
    if intro:
        print(intro)
    console = Console(settings, database, user_id=args.user, own_database=not explicit)
    try:
        console.run(args.commands or None)
    finally:
        console.close()
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import serve

    mode = settings.slack_mode(args.mode)  # SettingsError naming a missing token
    if args.workers < 1:
        raise SettingsError("--workers must be 1 or more")
    if args.workers > 1 and mode != "http":
        raise SettingsError("--workers is for HTTP mode (Socket Mode is one connection)")
    database = _serving_database(settings)
    return serve(settings, database, mode=mode, port=args.port, workers=args.workers)


def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    """The README's run command: the real bot with Slack tokens, else the console (with only
    some of the tokens set it says which are missing rather than guess)."""
    if settings.slack_tokens_set:
        args.mode, args.port, args.workers = settings.slack_mode(None), None, 1
        return cmd_run(args, settings)
    args.user, args.commands = None, []
    return cmd_console(
        args,
        settings,
        intro="No Slack tokens are set (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or "
        "SLACK_APP_TOKEN): starting the offline console.",
    )


def _add_db_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = verbs.add_parser("db", help="database schema (Alembic migrations)")
    db_verbs = db.add_subparsers(dest="db_command", required=True)
    up = db_verbs.add_parser("upgrade", help="migrate the schema up (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    down = db_verbs.add_parser("downgrade", help="migrate the schema down to REVISION")
    down.add_argument("revision")
    db_verbs.add_parser("current", help="show the schema revision")
    db.set_defaults(handler=cmd_db)


def _add_plan_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = verbs.add_parser("plan", help="improvement plans as files")
    plan_verbs = plan.add_subparsers(dest="plan_command", required=True)
    validate = plan_verbs.add_parser("validate", help="check a plan file; writes nothing")
    validate.add_argument("file")
    validate.set_defaults(handler=cmd_plan_validate)
    imp = plan_verbs.add_parser(
        "import", help="load a plan file or spreadsheet (one transaction, idempotent)"
    )
    imp.add_argument("file", help="a plan file (.yaml) or spreadsheet (.xlsx, .csv)")
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="spreadsheets: print what would be added and changed, field by field; write nothing",
    )
    imp.add_argument(
        "--by",
        metavar="MEMBER_ID",
        help="spreadsheets: your Slack member id; the changes are logged as updates by you",
    )
    imp.add_argument(
        "--current",
        action="store_true",
        help="make the plan the file marks current the current plan (without it, the current "
        "plan is kept, unless there is none yet)",
    )
    imp.set_defaults(handler=cmd_plan_import)
    exp = plan_verbs.add_parser("export", help="write the plans out")
    exp.add_argument("--format", choices=["yaml", "csv", "xlsx"], default="yaml")
    exp.add_argument("--out", help="file to write (default: standard output)")
    exp.add_argument("--council", help="council to export (default: the current plan's)")
    exp.set_defaults(handler=cmd_plan_export)
    add_template_parser(plan_verbs)
    plan_verbs.add_parser("list", help="plans with their counts").set_defaults(
        handler=cmd_plan_list
    )
    add_draft_parser(plan_verbs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ofsted-bot", description=__doc__)
    verbs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_db_parsers(verbs)
    _add_plan_parsers(verbs)
    add_owner_parsers(verbs)

    verbs.add_parser(
        "start", help="run the bot, or the console when no Slack tokens are set"
    ).set_defaults(handler=cmd_start)
    run = verbs.add_parser("run", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--socket", dest="mode", action="store_const", const="socket")
    mode.add_argument("--http", dest="mode", action="store_const", const="http")
    run.add_argument("--port", type=int, help="HTTP port (default: PORT, 3000)")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="HTTP mode: worker processes serving requests (default 1; about one per core)",
    )
    run.set_defaults(handler=cmd_run, mode=None)
    console = verbs.add_parser("console", help="the bot with no Slack: type /ofsted commands")
    console.add_argument("--user", help="Slack user id to act as")
    console.add_argument(
        "-c",
        "--command",
        dest="commands",
        action="append",
        help="run this line and exit (repeatable)",
    )
    console.set_defaults(handler=cmd_console)
    add_job_parsers(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"ofsted-bot: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.log_level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        if hasattr(args, "db_handler"):
            return int(args.db_handler(args, settings, _serving_database(settings)))
        handler: Handler = args.handler
        return handler(args, settings)
    except (SettingsError, DatabaseUnavailableError) as exc:
        print(f"ofsted-bot: {exc}", file=sys.stderr)
        return 2
    except PlanFileError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        print(f"{exc.path}: refused: nothing was written", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
