"""App Home, published when a user opens it (and after they log an update).

Opening it is acknowledged at once; the view is published after (a lazy listener), so a slow
or rate-limited `views.publish` never makes Slack wait and send the event again.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.listeners.later import after_the_ack
from bot.services import Ofsted
from commands.views.actions import Viewing
from commands.views.home import home_view
from db.lookups import PlanNotFoundError, actions_of_person, current_plan
from db.models import Person
from db.overview import rag_by_recommendation
from db.updates import is_admin


def publish_home(ofsted: Ofsted, client: WebClient, user_id: str) -> None:
    today = ofsted.today()
    with ofsted.database.sessions() as session:
        mine = actions_of_person(session, user_id, today, per_page=20)
        person = session.query(Person).filter_by(slack_user_id=user_id).one_or_none()
        admin = user_id in ofsted.settings.admins or (person is not None and is_admin(person, ()))
        plan, glance = None, None
        if admin:
            try:
                plan = current_plan(session, ofsted.settings.current_plan)
                glance = rag_by_recommendation(session, plan)
            except PlanNotFoundError:
                plan = None
    view = home_view(
        mine, Viewing(viewer=user_id, tz=ofsted.settings.tz, today=today), plan=plan, glance=glance
    )
    client.views_publish(user_id=user_id, view=view)


def register(app: App, ofsted: Ofsted) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def publish(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            with after_the_ack("app_home_opened"):
                publish_home(ofsted, client, event["user"])

    app.event("app_home_opened")(ack=acknowledge, lazy=[publish])
