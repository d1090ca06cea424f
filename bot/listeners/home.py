"""App Home, published when a user opens it (and after they log an update).

Opening it is acknowledged at once; the view is published after (a lazy listener), so a slow
or rate-limited `views.publish` never makes Slack wait and send the event again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.listeners.later import acknowledge, after_the_ack
from bot.services import Ofsted, services
from commands.views.home import HomeExtras, home_view
from db.actions import actions_of_person
from db.models import Plan
from db.plans import PlanNotFoundError, current_plan, illustrative_fields, inspection_plans
from db.posts import covers_from, posts_with_holders
from db.recommendations import rag_by_recommendation
from jobs.statutory import plan_clock


def home_extras(ofsted: Ofsted, session: Session, user_id: str, today: date) -> HomeExtras:
    clocks = [(p.key, c) for p in inspection_plans(session) if (c := plan_clock(p))]
    try:
        plan: Plan | None = current_plan(session, ofsted.settings.current_plan)
    except PlanNotFoundError:
        plan = None
    illustrative = plan is not None and bool(illustrative_fields(session, plan.id))
    if user_id not in ofsted.settings.admins:
        return HomeExtras(illustrative, clocks=clocks)
    glance = rag_by_recommendation(session, plan) if plan is not None else None
    posts, covers = posts_with_holders(session), covers_from(session, today)
    return HomeExtras(illustrative, plan, glance, posts, covers, clocks)


def publish_home(ofsted: Ofsted, client: WebClient, user_id: str) -> None:
    today = ofsted.today()
    with ofsted.database.sessions() as session:
        mine = actions_of_person(session, user_id, today, per_page=20)
        extras = home_extras(ofsted, session, user_id, today)
        view = home_view(mine, ofsted.viewing(user_id), extras)
    client.views_publish(user_id=user_id, view=view)


def on_the_home_tab(event: dict[str, Any]) -> bool:
    """A matcher: App Home opened on its Home tab (not Messages)."""
    return bool(event.get("tab", "home") == "home")


def publish(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    with after_the_ack("app_home_opened"):
        publish_home(services(context), client, event["user"])


def register(app: App) -> None:
    app.event("app_home_opened", matchers=[on_the_home_tab])(ack=acknowledge, lazy=[publish])
