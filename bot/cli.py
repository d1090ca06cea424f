"""The `ofsted-bot` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from bot.cli_jobs import add_parsers as add_job_parsers
from bot.settings import Settings, SettingsError, load_settings
from db.database import Database
from db.plan_export import export_document, to_csv, to_yaml, write_xlsx
from db.plan_import import import_plan_file
from db.planfile import PlanFileError, parse_plan_file, rag_warnings
from db.queries import (
    add_cover,
    covers_from,
    plan_summaries,
    posts_with_holders,
    set_post_holder,
)

Handler = Callable[[argparse.Namespace, Settings], int]


def _database(settings: Settings, *, prepare: bool = True) -> Database:
    database = Database.connect(settings.database_url)
    if prepare:
        database.prepare(settings.plans_file)
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
    report = import_plan_file(database.writes, args.file)
    print(f"{args.file}: imported: {report.summary()}")
    for note in report.notes:
        print(f"  note: {note}")
    return 0


def cmd_plan_export(args: argparse.Namespace, settings: Settings) -> int:
    database = _database(settings)
    with database.sessions() as session:
        if args.format == "xlsx":
            out = Path(args.out or "plans-export.xlsx")
            write_xlsx(session, out, args.council)
            print(f"wrote {out}")
            return 0
        text = (
            to_yaml(export_document(session, args.council))
            if args.format == "yaml"
            else to_csv(session, args.council)
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


def cmd_owners_set(args: argparse.Namespace, settings: Settings) -> int:
    database = _database(settings)
    try:
        with database.writes.begin() as session:
            post = set_post_holder(session, args.post, args.user_id)
            title = post.title
    except LookupError:
        print(f"no post {args.post!r}: `ofsted-bot owners list` shows the posts", file=sys.stderr)
        return 1
    print(f"{title} is now held by {args.user_id}")
    return 0


def cmd_owners_list(args: argparse.Namespace, settings: Settings) -> int:
    database = _database(settings)
    with database.sessions() as session:
        posts = posts_with_holders(session)
    width = max((len(p.key) for p in posts), default=0)
    for post in posts:
        holder = post.holder.slack_user_id if post.holder else "(nobody: `owners set`)"
        flag = " (illustrative)" if post.illustrative else ""
        print(f"{post.key:<{width}}  {holder:<22}  {post.title}{flag}")
    with database.sessions() as session:
        covers = covers_from(session, datetime.now(settings.tz).date())
    for cover in covers:
        print(
            f"cover: {cover.post.key} by {cover.person.slack_user_id} "
            f"from {cover.starts_on} to {cover.ends_on}"
        )
    return 0


def cmd_owners_cover(args: argparse.Namespace, settings: Settings) -> int:
    database = _database(settings)
    try:
        starts, ends = date.fromisoformat(args.starts), date.fromisoformat(args.ends)
        with database.writes.begin() as session:
            add_cover(session, args.post, args.user_id, starts, ends)
    except LookupError:
        print(f"no post {args.post!r}: `ofsted-bot owners list` shows the posts", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"ofsted-bot: {exc} (dates as 2022-09-01)", file=sys.stderr)
        return 1
    print(
        f"{args.user_id} covers {args.post} from {starts:%-d %b %Y} to {ends:%-d %b %Y}: "
        "they are nudged and may update its actions then"
    )
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import Console

    console = Console(settings, _database(settings), user_id=args.user)
    try:
        console.run(args.commands or None)
    finally:
        console.close()
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import serve

    return serve(settings, _database(settings), mode=args.mode, port=args.port)


def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    """The README's run command: the real bot with Slack tokens, else the console."""
    if settings.has_slack_tokens:
        args.mode, args.port = None, None
        return cmd_run(args, settings)
    print(
        "No Slack tokens are set (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or "
        "SLACK_APP_TOKEN): starting the offline console."
    )
    args.user, args.commands = None, []
    return cmd_console(args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ofsted-bot", description=__doc__)
    verbs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = verbs.add_parser("db", help="database schema (Alembic migrations)")
    db_verbs = db.add_subparsers(dest="db_command", required=True)
    up = db_verbs.add_parser("upgrade", help="migrate the schema up (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    down = db_verbs.add_parser("downgrade", help="migrate the schema down to REVISION")
    down.add_argument("revision")
    db_verbs.add_parser("current", help="show the schema revision")
    db.set_defaults(handler=cmd_db)

    plan = verbs.add_parser("plan", help="improvement plans as files")
    plan_verbs = plan.add_subparsers(dest="plan_command", required=True)
    validate = plan_verbs.add_parser("validate", help="check a plan file; writes nothing")
    validate.add_argument("file")
    validate.set_defaults(handler=cmd_plan_validate)
    imp = plan_verbs.add_parser("import", help="load a plan file (one transaction, idempotent)")
    imp.add_argument("file")
    imp.set_defaults(handler=cmd_plan_import)
    exp = plan_verbs.add_parser("export", help="write the plans out")
    exp.add_argument("--format", choices=["yaml", "csv", "xlsx"], default="yaml")
    exp.add_argument("--out", help="file to write (default: standard output)")
    exp.add_argument("--council", help="council to export (default: the current plan's)")
    exp.set_defaults(handler=cmd_plan_export)
    plan_verbs.add_parser("list", help="plans with their counts").set_defaults(
        handler=cmd_plan_list
    )

    owners = verbs.add_parser("owners", help="who holds each post")
    owner_verbs = owners.add_subparsers(dest="owners_command", required=True)
    owner_set = owner_verbs.add_parser("set", help="make a Slack user the holder of a post")
    owner_set.add_argument("post", help="post key (see `owners list`) or exact title")
    owner_set.add_argument("user_id", help="Slack user id, e.g. U0123ABCD")
    owner_set.set_defaults(handler=cmd_owners_set)
    cover = owner_verbs.add_parser("cover", help="someone covers a post between two dates")
    cover.add_argument("post")
    cover.add_argument("user_id")
    cover.add_argument("starts", help="first day, e.g. 2022-09-01")
    cover.add_argument("ends", help="last day (inclusive)")
    cover.set_defaults(handler=cmd_owners_cover)
    owner_verbs.add_parser("list", help="posts, their holders and covers").set_defaults(
        handler=cmd_owners_list
    )

    verbs.add_parser(
        "start", help="run the bot, or the console when no Slack tokens are set"
    ).set_defaults(handler=cmd_start)
    run = verbs.add_parser("run", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--socket", dest="mode", action="store_const", const="socket")
    mode.add_argument("--http", dest="mode", action="store_const", const="http")
    run.add_argument("--port", type=int, help="HTTP port (default: PORT, 3000)")
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
            return int(args.db_handler(args, settings, _database(settings)))
        handler: Handler = args.handler
        return handler(args, settings)
    except PlanFileError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        print(f"{exc.path}: refused: nothing was written", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
