"""What the console tells a newcomer: its commands (`HELP`) and, once, before anything else,
that the shipped plans are illustrative and how to load their own. On the console's own
database it also starts the clock inside the plan's life (the shipped plans' dates are 2022–23:
today, everything would be years overdue) and, if nobody holds a post yet, gives them the post
owning most of the plan's actions, so that their first `/ofsted rec 4` and `/ofsted mine` read
as a living plan."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.settings import Settings
from db.database import Database
from db.first_run import first_run
from db.posts import posts_with_holders, set_post_holder

ILLUSTRATIVE = (
    "ℹ️  These plans are illustrative: real recommendations, quoted from the published reports, "
    "with made-up owners, due dates, statuses and RAG (2022–23). To load your own: "
    "`ofsted-bot plan draft REPORT.pdf` drafts a plan from an Ofsted report and "
    "`ofsted-bot plan import FILE` loads it (YAML or your spreadsheet)."
)

HELP = """\
Type what you would type in Slack:   /ofsted rec 4    /ofsted mine    /ofsted help
Console commands:
  :press N        press button N of the last message
  :reply TEXT     reply in the thread of the bot's last message (`:reply amber: waiting`)
  :mention TEXT   mention the bot in a channel (`:mention 4.2 green: panel meets weekly`)
  :dm TEXT        send the bot a direct message
  :edit TEXT      edit your last message          :delete   delete it
  :fill ID VALUE  fill a field of the open form    :submit   submit it    :cancel  close it
  :home           open the bot's App Home
  :time WHEN      move the clock (`:time 2022-10-05 09:00`, `:time now`)   :tick  send what is due
  :user U123      act as another Slack user (now: {user})
  :own POST       make the current user hold a post (as `ofsted-bot owners set` does)
  :posts          who holds which post    :help  this text    :quit  leave (or Ctrl-D)"""


def first_holder(database: Database) -> str | None:
    """Who holds the first post (by key) that has a holder."""
    with database.sessions() as session:
        holders = [p.holder.slack_user_id for p in posts_with_holders(session) if p.holder]
    return holders[0] if holders else None


def first_run_notes(
    database: Database, settings: Settings, user_id: str, *, own: bool, chosen: bool
) -> tuple[list[str], datetime | None]:
    """The notes to print once, and the console's starting clock (None: the real time).
    `own`: the console's own database; `chosen`: the user was named (`--user`)."""
    with database.sessions() as session:
        first = first_run(session, settings.current_plan)
    if first is None or not first.illustrative:
        return [], None
    notes, clock = [ILLUSTRATIVE], None
    if not own:
        return notes, None
    if first.living_day is not None and first.living_day < datetime.now(settings.tz).date():
        local = datetime.combine(first.living_day, time(9, 0), tzinfo=settings.tz)
        clock = local.astimezone(UTC)
        notes.append(
            f"The console's clock starts at {local:%A %-d %b %Y %H:%M}, inside the plan's life, "
            "so that you see a living plan (`:time now` for today's date)."
        )
    if not chosen and first.busiest_post and first_holder(database) is None:
        with database.writes.begin() as session:
            title = set_post_holder(session, first.busiest_post, user_id).title
        notes.append(
            f"You are {user_id}, and in this console's database you hold the post {title}: "
            "`/ofsted mine` shows its actions (`:own POST` to hold another, `:user U…` to be "
            "someone else, `:posts` for who holds what)."
        )
    return notes, clock
