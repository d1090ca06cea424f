"""App Home, published when a user opens it (and after they log an update).

Opening it is acknowledged at once; the view is published after (a lazy listener), so a slow
or rate-limited `views.publish` never makes Slack wait and send the event again.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.listeners.later import acknowledge, after_the_ack
from bot.services import Ofsted, services
from commands.views.actions import Viewing
from commands.views.home import home_view
from db.lookups import PlanNotFoundError, actions_of_person, current_plan
from db.overview import rag_by_recommendation
from db.queries import inspection_plans
from jobs.statutory import plan_clock


def publish_home(ofsted: Ofsted, client: WebClient, user_id: str) -> None:
    today = ofsted.today()
    with ofsted.database.sessions() as session:
        mine = actions_of_person(session, user_id, today, per_page=20)
        clocks = [(p.key, c) for p in inspection_plans(session) if (c := plan_clock(p))]
        plan, glance = None, None
        if user_id in ofsted.settings.admins:
            try:
                plan = current_plan(session, ofsted.settings.current_plan)
                glance = rag_by_recommendation(session, plan)
            except PlanNotFoundError:
                plan = None
    viewing = Viewing(viewer=user_id, tz=ofsted.settings.tz, today=today)
    view = home_view(mine, viewing, plan=plan, glance=glance, clocks=clocks)
    client.views_publish(user_id=user_id, view=view)


def on_the_home_tab(event: dict[str, Any]) -> bool:
    """A matcher: App Home opened on its Home tab (not Messages)."""
    return bool(event.get("tab", "home") == "home")


def publish(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    with after_the_ack("app_home_opened"):
        publish_home(services(context), client, event["user"])


def register(app: App) -> None:
    app.event("app_home_opened", matchers=[on_the_home_tab])(ack=acknowledge, lazy=[publish])
