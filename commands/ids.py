"""Every id the bot's buttons, forms and shortcut carry, and what their values hold.

Views build buttons and modals with these; listeners match them; tests/test_ids.py checks that
no other module spells an id out, and that manifest.yml declares the same shortcut. A button's
action_id is `<ActionId>:<digest of its value>` (unique per value, so a message may hold several
buttons of one kind): listeners match `ActionId.pattern()`. Button values and the update form's
private_metadata are JSON, one pydantic model per kind, read back with `read()`, which gives
None for anything malformed or forged (the listener then says the button is out of date).

The JSON is the same as before these models (`{"action":5}`, `{"cmd":"rec 4","page":1}`), so
buttons in messages sent long ago still work; `read()` accepts the older spaced JSON too.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from typing import Annotated, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ActionId(StrEnum):
    """The action_id (before the `:digest`) of each kind of button, and of the form's inputs."""

    SHARE = "ofsted_share"  # post an answer in the channel
    MORE = "ofsted_more"  # the next page
    HISTORY = "ofsted_history"  # an action's history
    RUN = "ofsted_run"  # run a command (a suggestion, the RAG key, the full text)
    UPDATE = "ofsted_update"  # open the update form for an action
    EDIT = "ofsted_edit"  # open the form to edit an update
    UNDO = "ofsted_undo"  # withdraw an update
    CHOOSE = "ofsted_choose"  # which action a reply was about
    SIGNOFF = "ofsted_signoff"  # sign off a completed action
    APPROVE_DATE = "ofsted_date_approve"  # approve a new due date asked for (the board)
    REJECT_DATE = "ofsted_date_reject"  # reject it
    NO_CHANGE = "ofsted_no_change"  # a nudge: no change since last time
    REMIND_LATER = "ofsted_remind_later"  # a nudge: remind me in 2 days
    OWNERS = "ofsted_owners"  # open the form that manages posts (admins)
    IMPORT_DRAFT = "ofsted_import_draft"  # import a plan drafted from a report sent in a DM
    FORM_INPUT = "value"  # every input of the update form (its block_id says which)

    def for_value(self, value: str) -> str:
        """The action_id of a button of this kind carrying `value` (unique per value)."""
        digest = hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()[:12]
        return f"{self.value}:{digest}"

    @classmethod
    def pattern(cls, *kinds: ActionId) -> re.Pattern[str]:
        """Matches the action_ids of buttons of these kinds (with or without a digest)."""
        names = "|".join(re.escape(kind.value) for kind in kinds)
        return re.compile(rf"^(?:{names})(?::[0-9a-f]+)?$")

    @classmethod
    def of(cls, action_id: str) -> ActionId | None:
        """The kind of button an action_id belongs to."""
        try:
            return cls(action_id.partition(":")[0])
        except ValueError:
            return None


RERUN_BUTTONS = (ActionId.SHARE, ActionId.MORE, ActionId.RUN, ActionId.HISTORY)


class CallbackId(StrEnum):
    """The callback_id of each modal and of the message shortcut (declared in manifest.yml)."""

    UPDATE_FORM = "ofsted_update_modal"
    NOTICE = "ofsted_update_modal_notice"  # "Just a moment…" or why there is no form
    LOG_AS_UPDATE = "log_action_update"  # the message shortcut *Log as action update*
    DECISION_FORM = "ofsted_decision_modal"  # the reason for approving or rejecting a date
    OWNERS_FORM = "ofsted_owners_modal"  # who holds and who covers a post (admins)


SHORTCUTS = frozenset({CallbackId.LOG_AS_UPDATE})  # the callback ids manifest.yml must declare

RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]  # a database id: forged ones stop here


class Carried(BaseModel):
    """JSON carried by Slack and handed back: compact, None left out."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def read(cls, raw: str | None) -> Self | None:
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            return None


class Rerun(Carried):
    """SHARE, MORE, RUN and HISTORY buttons: an `/ofsted` command to run again, and its page."""

    cmd: str = Field(max_length=1900)
    page: int | None = Field(default=None, ge=0, le=10_000)


class ActionRef(Carried):
    """UPDATE and SIGNOFF buttons: the action."""

    action: RowId


class UpdateRef(Carried):
    """EDIT and UNDO buttons: the update."""

    update: RowId


class Choice(Carried):
    """CHOOSE buttons: the reply kept waiting, and the action it is about."""

    action: RowId  # fields in alphabetical order: the JSON buttons carried before the models
    pending: RowId


class DateRequestRef(Carried):
    """APPROVE_DATE and REJECT_DATE buttons: the request for a new due date."""

    request: RowId


class NudgeRef(Carried):
    """NO_CHANGE and REMIND_LATER buttons: the nudge (its delivery)."""

    delivery: RowId


class PostRef(Carried):
    """OWNERS buttons: the post to open the form on (none: choose in the form)."""

    post: str | None = Field(default=None, max_length=80)


class DraftRef(Carried):
    """IMPORT_DRAFT buttons: the draft plan file the bot uploaded, and whether to make it
    current."""

    file: str = Field(pattern=r"^F[A-Z0-9]{2,40}$")
    current: bool | None = None


ButtonValue = (
    Rerun | ActionRef | UpdateRef | Choice | DateRequestRef | NudgeRef | PostRef | DraftRef
)
Value = TypeVar("Value", bound=Carried)  # any of them, in helpers that read one


class ModalMeta(Carried):
    """What the update form is for, carried in its private_metadata."""

    mode: Literal["new", "edit", "shortcut"]
    action_id: RowId | None = None
    update_id: RowId | None = None
    channel: str | None = Field(default=None, max_length=40)
    ts: str | None = Field(default=None, max_length=40)
    permalink: str | None = Field(default=None, max_length=1000)  # of the shortcut's message


class DecisionMeta(Carried):
    """What the decision form is for: the request, approve or reject, and the pressed message
    (to update it in place once decided: a submission carries no message)."""

    request: RowId
    approve: bool
    channel: str | None = Field(default=None, max_length=40)
    ts: str | None = Field(default=None, max_length=40)
    thread_ts: str | None = Field(default=None, max_length=40)
    button: str = Field(default="", max_length=60)  # the pressed button's action_id
