"""A nudge's own buttons: *No change since last time* (an update saying so on each of its
actions not updated since it was sent) and *Remind me in 2 days* (once, never past the
digest). Each is done before Slack hears back; the nudge is then updated in place through the
press's response_url (✓ on each action, the button gone), not left live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from bot.listeners.update_buttons import RESPOND, button_value, refusal, respond_later
from bot.services import Ofsted, services
from commands.compose import make_composer
from commands.ids import ActionId, NudgeRef
from db.models import Delivery
from db.updates import UpdateRefusedError
from jobs.nudges import mark_shown, no_change, remind_later
from jobs.outbox_model import NothingToSendError


def shown_again(ofsted: Ofsted, delivery_id: int) -> dict[str, Any]:
    """The nudge as it stands now, to replace the pressed one."""
    now = ofsted.now()
    compose = make_composer(ofsted.database, ofsted.settings.tz, now)
    with ofsted.database.writes.begin() as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None:
            return {"delete_original": True}
        mark_shown(session, delivery_id, now)
    try:
        message = compose(delivery)
    except NothingToSendError as nothing:
        return {"replace_original": True, "text": f"Nothing left to update: {nothing}."}
    return {"replace_original": True, "text": message.text, "blocks": message.blocks}


Write = Callable[[Session, Ofsted, int, str], object]  # store a press: (session, …, nudge, user)


def nudge_button(
    write: Write,
) -> Callable[[Ack, dict[str, Any], dict[str, Any], BoltContext], None]:
    """An ack function for a nudge's button: store the press, then show the nudge as it is now.

    Bolt passes arguments by name, so the listener keeps Bolt's names (ack, body, action, context).
    """

    def on_press(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        ack()
        ofsted, user = services(context), body["user"]["id"]
        if (value := button_value(NudgeRef, action, context)) is None:
            return
        try:
            with ofsted.database.writes.begin() as session:
                write(session, ofsted, value.delivery, user)
        except UpdateRefusedError as refused:
            context[RESPOND] = refusal(str(refused))
            return
        context[RESPOND] = shown_again(ofsted, value.delivery)

    return on_press


on_no_change = nudge_button(
    lambda session, ofsted, delivery, user: no_change(
        session,
        delivery,
        user,
        today=ofsted.today(),
        admins=ofsted.settings.admins,
        now=ofsted.now(),
    )
)
on_remind_later = nudge_button(
    lambda session, ofsted, delivery, user: remind_later(
        session, delivery, user, ofsted.now(), ofsted.settings.tz
    )
)


def register(app: App) -> None:
    app.action(ActionId.pattern(ActionId.NO_CHANGE))(ack=on_no_change, lazy=[respond_later])
    app.action(ActionId.pattern(ActionId.REMIND_LATER))(ack=on_remind_later, lazy=[respond_later])
