"""Views for logging progress: the confirmation, the which-action question, the update modal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
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

from commands.views.actions import due_text
from commands.views.common import (
    Kit,
    Reply,
    button,
    buttons,
    context,
    cut,
    cut_escaped,
    escape,
    first_lines,
    mrkdwn,
    rag_label,
    status_label,
)
from db.lookups import ActionCard
from db.models import Action, ActionStatus, Rag, Update
from db.status import RagConflictError, settle_rag

MODAL_CALLBACK = "ofsted_update_modal"
SETTABLE = [
    ActionStatus.NOT_STARTED,
    ActionStatus.ON_TRACK,
    ActionStatus.AT_RISK,
    ActionStatus.OFF_TRACK,
    ActionStatus.COMPLETE,
]


def changes(update: Update) -> list[str]:
    found = []
    if update.status_to and update.status_to != update.status_from:
        found.append(
            f"status {update.status_from.value if update.status_from else '–'} → "
            f"*{update.status_to.value}*"
        )
    if update.rag_to and update.rag_to != update.rag_from:
        found.append(f"RAG {rag_label(update.rag_from)} → {rag_label(update.rag_to)}")
    if update.due_to:
        found.append(
            f"new due date {update.due_to:%-d %b %Y} (was {update.due_from:%-d %b %Y})"
            if update.due_from
            else "new due date"
        )
    if update.escalation:
        found.append("escalated to the board")
    return found


def confirmation_view(update: Update, action: Action, *, undone: bool = False) -> Reply:
    """What the bot understood, with Edit and Undo (Undo works for 10 minutes)."""
    what = changes(update) or ["no status change"]
    head = (
        "↩️ Withdrawn" if update.retracted else ("✏️ Edited" if update.version > 1 else "✅ Logged")
    )
    text = f"{head} for *{escape(action.ref)}* {cut_escaped(action.title, 200)}: {'; '.join(what)}"
    blocks: list[Kit | None] = [mrkdwn(text)]
    if update.text:
        blocks.append(context(f"“{cut_escaped(first_lines(update.text, 300), 300)}”"))
    if update.on_behalf_of is not None:
        blocks.append(
            context(
                f"Logged by <@{update.author.slack_user_id if update.author else ''}>"
                f" on behalf of <@{update.on_behalf_of.slack_user_id}>"
            )
        )
    if not update.retracted and not undone:
        blocks.append(
            buttons(
                button("Edit", "edit", {"update": update.id}),
                button("Undo", "undo", {"update": update.id}, style="danger"),
            )
        )
    fallback = f"{head.split(' ', 1)[1]} for {action.ref}: {'; '.join(what)}"
    return Reply([b for b in blocks if b is not None], fallback)


def choose_view(pending_id: int, actions: list[Action]) -> Reply:
    rows = [
        button(cut(f"{a.ref} {a.title}", 75), "choose", {"pending": pending_id, "action": a.id})
        for a in actions[:20]
    ]
    blocks: list[Kit | None] = [
        mrkdwn(
            "Which action is this update about? (Next time, start "
            "your reply with its reference, e.g. `4.2: …`)"
        )
    ]
    for start in range(0, len(rows), 5):
        blocks.append(buttons(*rows[start : start + 5]))
    return Reply([b for b in blocks if b is not None], "Which action is this update about?")


def _option(text: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=cut(text, 75)), value=value)


@dataclass(frozen=True)
class ModalMeta:
    """What the modal is for, carried in its private_metadata."""

    mode: str  # "new", "edit" or "shortcut"
    action_id: int | None = None
    update_id: int | None = None
    channel: str | None = None
    ts: str | None = None
    permalink: str | None = None  # of the shortcut's message, found before the form is filled

    def dump(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if v is not None})

    @classmethod
    def load(cls, raw: str) -> ModalMeta:
        data = json.loads(raw or "{}")
        fields = ("mode", "action_id", "update_id", "channel", "ts", "permalink")
        return cls(**{k: data.get(k) for k in fields})


RAG_HINT = (
    "Leave it empty and it follows the status: on track green, at risk amber, off track red, "
    "complete green."
)


def notice_modal(title: str, text: str = "Just a moment…") -> View:
    """A modal with a line of text and no form: opened at once (a trigger id lives 3 seconds)
    and filled in afterwards, or telling why there is no form."""
    return View(
        type="modal",
        callback_id=f"{MODAL_CALLBACK}_notice",
        title=cut(title, 24),
        close="Close",
        blocks=[mrkdwn(text)],
    )


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
    action = card.action if card else None
    if action is not None and today is not None:
        blocks.append(
            mrkdwn(
                f"*{escape(action.ref)}* {cut_escaped(action.title, 500)}\n"
                f"{rag_label(action.rag)} · {status_label(action.status)} · "
                f"{due_text(card, today) if card else ''}"
            )
        )
    if choices is not None:
        options = [
            _option(f"{c.action.ref} {c.action.title}", str(c.action.id)) for c in choices[:100]
        ]
        blocks.append(
            InputBlock(
                block_id="action",
                label="Which action?",
                element=StaticSelectElement(
                    action_id="value", options=options, placeholder="Choose an action"
                ),
            )
        )
    statuses = [_option(s.value.capitalize(), s.value) for s in SETTABLE]
    current = next((o for o in statuses if action and o.value == action.status.value), None)
    blocks.append(
        InputBlock(
            block_id="status",
            label="Status",
            optional=True,
            element=StaticSelectElement(
                action_id="value", options=statuses, initial_option=current
            ),
        )
    )
    rags = [_option(rag_label(r), r.value) for r in (Rag.GREEN, Rag.AMBER, Rag.RED)]
    blocks.append(  # not pre-chosen: a RAG chosen here overrides the one the status implies
        InputBlock(
            block_id="rag",
            label="RAG",
            optional=True,
            hint=RAG_HINT,
            element=RadioButtonsElement(action_id="value", options=rags),
        )
    )
    blocks.append(
        InputBlock(
            block_id="text",
            label="Progress",
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                initial_value=text[:3000] or None,
                placeholder="What has happened since the last update?",
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id="evidence",
            label="Evidence link",
            optional=True,
            element=UrlInputElement(action_id="value"),
        )
    )
    if meta.mode != "edit":
        blocks += [
            InputBlock(
                block_id="due",
                label="Request a new due date",
                optional=True,
                element=DatePickerElement(action_id="value"),
            ),
            InputBlock(
                block_id="due_reason",
                label="Reason for the new date",
                optional=True,
                element=PlainTextInputElement(action_id="value"),
            ),
            InputBlock(
                block_id="escalate",
                label="Escalate to the board",
                optional=True,
                element=CheckboxesElement(
                    action_id="value", options=[_option("Escalate this action to the board", "yes")]
                ),
            ),
            InputBlock(
                block_id="escalation",
                label="Why escalate?",
                optional=True,
                element=PlainTextInputElement(action_id="value", multiline=True),
            ),
        ]
    title = "Edit update" if meta.mode == "edit" else "Update action"
    return View(
        type="modal",
        callback_id=MODAL_CALLBACK,
        title=title,
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
    return dict(state.get(block, {}).get("value", {}))


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
