"""The status-word parser, and arbitrary user text rendered back (property-based)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.devtools.block_limits import message_problems
from commands.views.logged import confirmation_view
from db.models import Action, Update, UpdateSource
from db.status import ActionStatus, Rag
from db.status_words import STATUS_WORDS, parse_update


@pytest.mark.parametrize(
    ("text", "ref", "status", "rag", "rest"),
    [
        ("amber: waiting for HR", None, ActionStatus.AT_RISK, Rag.AMBER, "waiting for HR"),
        ("AMBER waiting for HR", None, ActionStatus.AT_RISK, Rag.AMBER, "waiting for HR"),
        (
            "4.2 green: panel now meets weekly",
            "4.2",
            ActionStatus.ON_TRACK,
            Rag.GREEN,
            "panel now meets weekly",
        ),
        ("4.2: on track - all good", "4.2", ActionStatus.ON_TRACK, Rag.GREEN, "all good"),
        ("At   Risk, staff shortages", None, ActionStatus.AT_RISK, Rag.AMBER, "staff shortages"),
        ("off track", None, ActionStatus.OFF_TRACK, Rag.RED, ""),
        ("Blocked: finance", None, ActionStatus.OFF_TRACK, Rag.RED, "finance"),
        ("done — policy agreed", None, ActionStatus.COMPLETE, Rag.GREEN, "policy agreed"),
        ("Completed", None, ActionStatus.COMPLETE, Rag.GREEN, ""),
        ("<@UBOT> A.1 red: no budget", "A.1", ActionStatus.OFF_TRACK, Rag.RED, "no budget"),
        ("greenhouse gases", None, None, None, "greenhouse gases"),
        ("reds and greens", None, None, None, "reds and greens"),
        ("12 new foster carers", None, None, None, "12 new foster carers"),
        ("waiting for HR", None, None, None, "waiting for HR"),
    ],
)
def test_examples(
    text: str, ref: str | None, status: ActionStatus | None, rag: Rag | None, rest: str
) -> None:
    parsed = parse_update(text)
    assert (parsed.ref, parsed.status, parsed.rag, parsed.text) == (ref, status, rag, rest)


@given(st.text(max_size=500))
def test_never_raises_and_keeps_the_words(text: str) -> None:
    parsed = parse_update(text)
    assert parsed.text in text or parsed.text == text.strip()
    assert (parsed.status is None) == (parsed.rag is None)


@given(
    st.sampled_from(sorted(STATUS_WORDS)),
    st.sampled_from([":", " -", "", ",", " :"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,60}", fullmatch=True),
    st.booleans(),
)
def test_any_status_word_in_any_case(word: str, sep: str, rest: str, upper: bool) -> None:
    typed = f"{word.upper() if upper else word.title()}{sep} {rest}"
    parsed = parse_update(typed, with_ref=False)
    assert (parsed.status, parsed.rag) == STATUS_WORDS[word]
    assert parsed.text == rest.strip()


@given(st.text(max_size=5000))
def test_user_text_renders_escaped_and_within_limits(text: str) -> None:
    action = Action(id=1, ref="4.2", title="Recruit <!channel> managers", position=0)
    update = Update(
        id=7,
        version=1,
        text=text,
        source=UpdateSource.SLASH,
        retracted=False,
        status_from=ActionStatus.ON_TRACK,
        status_to=ActionStatus.AT_RISK,
        rag_from=Rag.GREEN,
        rag_to=Rag.AMBER,
        on_behalf_of=None,
        author=None,
    )
    payload = confirmation_view(update, action).payload()
    assert message_problems(payload) == []
    shown = json.dumps(payload)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<@U" not in shown
