"""The statutory clock in words: on `/ofsted plans`, App Home and the reminders it sends."""

from __future__ import annotations

from datetime import date

from commands.views.kit import Kit, context, day, escape, mrkdwn, weekday
from jobs.statutory import WORKING_DAYS, Clock


def _left(n: int) -> str:
    if n == 0:
        return "due today"
    return f"{n} working day{'s' if n != 1 else ''} left"


def clock_text(clock: Clock, today: date) -> str:
    """Where the clock stands: running (the days left), submitted, or past its deadline."""
    if clock.submitted is not None:
        return f"action plan submitted to Ofsted {day(clock.submitted)} (due {day(clock.deadline)})"
    if not clock.running(today):
        return f"action plan was due to Ofsted {day(clock.deadline)}"
    return f"action plan due to Ofsted {weekday(clock.deadline)}: {_left(clock.days_left(today))}"


def home_clocks(clocks: list[tuple[str, Clock]], today: date) -> list[Kit]:
    """App Home's lines for the clocks still running."""
    return [
        mrkdwn(f":alarm_clock: `{escape(key)}`: {clock_text(clock, today)}")
        for key, clock in clocks
        if clock.running(today)
    ]


def deadline_view(plan_key: str, title: str, clock: Clock, today: date) -> tuple[str, list[Kit]]:
    """The reminder to a board's secretary and the admins, so many working days before."""
    left = _left(clock.days_left(today))
    text = (
        f"The written action plan for {title} ({plan_key}) is due to Ofsted on "
        f"{weekday(clock.deadline)}: {left}."
    )
    blocks: list[Kit] = [
        mrkdwn(
            f":alarm_clock: *The written action plan for `{escape(plan_key)}` is due to Ofsted "
            f"on {weekday(clock.deadline)}: {left}.*\n{escape(title)}"
        ),
        context(
            f"{WORKING_DAYS} working days from receiving the report on {weekday(clock.received)} "
            "(weekends and bank holidays not counted). Once it is sent, add "
            "`submitted: YYYY-MM-DD` to the plan in its plan file and import it: the "
            "reminders stop."
        ),
    ]
    return text, blocks
