"""The update form: the modal an owner logs progress in, and reading what they submitted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    StaticSelectElement,
    UrlInputElement,
)
from slack_sdk.models.views import View

from commands.ids import ActionId, CallbackId, ModalMeta
from commands.views.kit import (
    Kit,
    cut,
    cut_escaped,
    due_text,
    escape,
    mrkdwn,
    rag_label,
    status_label,
)
from db.cards import ActionCard, ActionRow
from db.status import ActionStatus, Rag, RagConflictError, settle_rag

INPUT = ActionId.FORM_INPUT  # the action_id of every input of the form
SETTABLE = [
    ActionStatus.NOT_STARTED,
    ActionStatus.ON_TRACK,
    ActionStatus.AT_RISK,
    ActionStatus.OFF_TRACK,
    ActionStatus.COMPLETE,
]


def _option(text: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=cut(text, Option.label_max_length)), value=value)


RAG_HINT = (
    "Leave it empty and it follows the status: on track green, at risk amber, off track red, "
    "complete green."
)


def _action_summary(card: ActionCard, today: date) -> Kit:
    action = card.action
    return mrkdwn(
        f"*{escape(action.ref)}* {cut_escaped(action.title, 500)}\n"
        f"{rag_label(action.rag)} · {status_label(action.status)} · {due_text(action, today)}"
    )


def _action_picker(choices: list[ActionCard]) -> Block:
    options = [_option(f"{c.action.ref} {c.action.title}", str(c.action.id)) for c in choices[:100]]
    return InputBlock(
        block_id="action",
        label="Which action?",
        element=StaticSelectElement(
            action_id=INPUT, options=options, placeholder="Choose an action"
        ),
    )


def _progress_inputs(action: ActionRow | None, text: str) -> list[Block]:
    """Status (the action's own chosen), RAG, progress and the evidence link."""
    statuses = [_option(s.value.capitalize(), s.value) for s in SETTABLE]
    current = next((o for o in statuses if action and o.value == action.status.value), None)
    rags = [_option(rag_label(r), r.value) for r in (Rag.GREEN, Rag.AMBER, Rag.RED)]
    return [
        InputBlock(
            block_id="status",
            label="Status",
            optional=True,
            element=StaticSelectElement(action_id=INPUT, options=statuses, initial_option=current),
        ),
        InputBlock(  # not pre-chosen: a RAG chosen here overrides the one the status implies
            block_id="rag",
            label="RAG",
            optional=True,
            hint=RAG_HINT,
            element=RadioButtonsElement(action_id=INPUT, options=rags),
        ),
        InputBlock(
            block_id="text",
            label="Progress",
            element=PlainTextInputElement(
                action_id=INPUT,
                multiline=True,
                initial_value=text[:3000] or None,
                placeholder="What has happened since the last update?",
            ),
        ),
        InputBlock(
            block_id="evidence",
            label="Evidence link",
            optional=True,
            element=UrlInputElement(action_id=INPUT),
        ),
    ]


def _due_and_escalation_inputs() -> list[Block]:
    """A new due date (with its reason) and escalation to the board (with why)."""
    return [
        InputBlock(
            block_id="due",
            label="Request a new due date",
            optional=True,
            element=DatePickerElement(action_id=INPUT),
        ),
        InputBlock(
            block_id="due_reason",
            label="Reason for the new date",
            optional=True,
            element=PlainTextInputElement(action_id=INPUT),
        ),
        InputBlock(
            block_id="escalate",
            label="Escalate to the board",
            optional=True,
            element=CheckboxesElement(
                action_id=INPUT, options=[_option("Escalate this action to the board", "yes")]
            ),
        ),
        InputBlock(
            block_id="escalation",
            label="Why escalate?",
            optional=True,
            element=PlainTextInputElement(action_id=INPUT, multiline=True),
        ),
    ]


def update_modal(
    meta: ModalMeta,
    *,
    card: ActionCard | None = None,
    choices: list[ActionCard] | None = None,
    text: str = "",
    today: date | None = None,
) -> View:
    """The update form. `choices` (from the message shortcut) adds a picker of your actions."""
    blocks: list[Kit] = []
    if card is not None and today is not None:
        blocks.append(_action_summary(card, today))
    if choices is not None:
        blocks.append(_action_picker(choices))
    blocks += _progress_inputs(card.action if card else None, text)
    if meta.mode != "edit":
        blocks += _due_and_escalation_inputs()
    return View(
        type="modal",
        callback_id=CallbackId.UPDATE_FORM,
        title="Edit update" if meta.mode == "edit" else "Update action",
        submit="Save",
        close="Cancel",
        private_metadata=meta.dump(),
        blocks=blocks,
    )


@dataclass(frozen=True)
class UpdateForm:
    action_id: int | None
    status: ActionStatus | None
    rag: Rag | None
    text: str
    evidence: str | None
    due: date | None
    due_reason: str | None
    escalation: str | None


def _value(state: dict[str, Any], block: str) -> dict[str, Any]:
    return dict(state.get(block, {}).get(INPUT, {}))


def read_form(state: dict[str, Any], today: date) -> UpdateForm | dict[str, str]:
    """The submitted form, or errors by block id to show inline in the modal."""
    errors: dict[str, str] = {}
    chosen = (_value(state, "action").get("selected_option") or {}).get("value")
    status_value = (_value(state, "status").get("selected_option") or {}).get("value")
    rag_value = (_value(state, "rag").get("selected_option") or {}).get("value")
    text = (_value(state, "text").get("value") or "").strip()
    evidence = (_value(state, "evidence").get("value") or "").strip() or None
    due_raw = _value(state, "due").get("selected_date")
    due_reason = (_value(state, "due_reason").get("value") or "").strip() or None
    escalate = bool(_value(state, "escalate").get("selected_options"))
    escalation = (_value(state, "escalation").get("value") or "").strip() or None
    if "action" in state and not chosen:
        errors["action"] = "Choose the action this update is about."
    if not text:
        errors["text"] = "Say how the action is going."
    due = date.fromisoformat(due_raw) if due_raw else None
    if due is not None and due < today:
        errors["due"] = "A new due date has to be in the future."
    if due is not None and not due_reason:
        errors["due_reason"] = "The board will want to know why the date moves."
    if escalate and not escalation:
        errors["escalation"] = "Say why this needs the board."
    if status_value and rag_value:
        try:
            settle_rag(ActionStatus(status_value), Rag(rag_value))
        except RagConflictError as conflict:
            errors["rag"] = str(conflict)
    if errors:
        return errors
    return UpdateForm(
        int(chosen) if chosen else None,
        ActionStatus(status_value) if status_value else None,
        Rag(rag_value) if rag_value else None,
        text,
        evidence,
        due,
        due_reason,
        escalation if escalate else None,
    )
