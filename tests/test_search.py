"""db.search_index: the relevance index behind `/ofsted search`, over the shipped Surrey plans."""

from __future__ import annotations

import functools
from collections.abc import Collection
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from db.search_index import Document, SearchIndex

SURREY = Path(__file__).resolve().parent.parent / "plans" / "surrey.yaml"


@functools.cache
def documents() -> tuple[Document, ...]:
    data = yaml.safe_load(SURREY.read_text(encoding="utf-8"))
    posts = {post["key"]: post["title"] for post in data["posts"]}
    docs: list[Document] = []
    for plan in data["plans"]:
        themes = {theme["key"]: theme["title"] for theme in plan.get("themes", [])}
        for rec in plan["recommendations"]:
            docs.append(
                Document(
                    "recommendation",
                    len(docs) + 1,
                    plan["key"],
                    str(rec["number"]),
                    rec["text"],
                    themes.get(rec.get("theme"), ""),
                )
            )
            for action in rec.get("actions", []):
                docs.append(
                    Document(
                        "action",
                        len(docs) + 1,
                        plan["key"],
                        str(action["ref"]),
                        action["title"],
                        posts.get(action.get("owner"), ""),
                    )
                )
    return tuple(docs)


@functools.cache
def index() -> SearchIndex:
    return SearchIndex(documents())


def keys(
    query: str, limit: int = 10, plan_keys: Collection[str] | None = None
) -> list[tuple[str, str, str]]:
    return [
        (hit.document.kind, hit.document.plan_key, hit.document.ref)
        for hit in index().search(query, limit, plan_keys=plan_keys)
    ]


REC = "recommendation"


def test_index_holds_every_recommendation_and_action() -> None:
    assert len(index()) == len(documents()) == 71
    assert sum(doc.kind == "action" for doc in documents()) == 17


def test_mental_health_finds_the_ilacs_2022_recommendation_first() -> None:
    hits = index().search("mental health")
    assert hits[0].document.title.startswith("Partnership work to secure support for children")
    assert keys("mental health")[0] == (REC, "ilacs-2022", "2")
    assert hits[0].matched == ("mental", "health")
    # Recommendations and actions are ranked together: the two mental health actions follow.
    assert set(keys("mental health")[1:3]) == {
        ("action", "ilacs-2022", "2.1"),
        ("action", "ilacs-2022", "2.2"),
    }
    # Documents matching both words rank above those matching one.
    assert all(len(hit.matched) == 2 for hit in hits[:3])
    assert all(len(hit.matched) == 1 for hit in hits[3:])


def test_matched_terms_are_as_typed() -> None:
    assert index().search("Mental HEALTH")[0].matched == ("Mental", "HEALTH")
    assert keys("Mental HEALTH") == keys("mental health")


def test_supervision() -> None:
    found = keys("supervision")
    assert found[0] == (REC, "ilacs-2022", "5")  # "The quality and impact of supervision …"
    # The fostering peer review's "Supervising SWs" is the same word stem. (No ilacs-2018
    # recommendation uses the word: its supervision one speaks of "management oversight".)
    assert (REC, "fostering-review-2021", "f") in found[:3]
    assert keys("supervise")[:2] == found[:2]
    assert keys("supervising")[:2] == found[:2]


def test_extra_text_is_searched_with_lower_weight() -> None:
    # ilacs-2022 rec 5 has the theme "Supervision and management oversight"; ilacs-2018 rec 4
    # says "management oversight" in its text.
    found = keys("management oversight")
    assert (REC, "ilacs-2018", "4") in found[:3]
    assert (REC, "ilacs-2022", "5") in found[:5]
    # An owner post title finds that post's actions.
    assert {plan_ref[0] for plan_ref in keys("Director Corporate Parenting", 5)} == {"action"}


def test_word_forms_match() -> None:
    # "assessing" and "assessments" share the stem "assess".
    assessing = keys("assessing", 20)
    assert (REC, "ilacs-2022", "1") in assessing  # "… assessments and plans for all children"
    assert (REC, "ilacs-2018", "10") in assessing  # "The quality of assessments and plans …"
    assert (REC, "ilacs-2022", "1") in keys("planning", 20)  # "… assessments and plans …"
    assert (REC, "fostering-review-2021", "f") in keys("assessment", 20)  # "… on assessing, …"
    assert keys("fostered")[0][1] in {"ilacs-2022", "fostering-review-2021"}


def test_typos_are_corrected() -> None:
    search = index()
    assert keys("supervison")[:2] == keys("supervision")[:2]
    assert search.corrections("supervison") == {"supervison": "supervision"}
    assert keys("mentl helth")[:3] == keys("mental health")[:3]
    assert search.corrections("mentl helth") == {"mentl": "mental", "helth": "health"}
    assert keys("acommodation")[0] == (REC, "ilacs-2022", "4")  # "… suitable accommodation …"
    assert search.corrections("acommodation") == {"acommodation": "accommodation"}
    assert search.corrections("Fostring") == {"Fostring": "fostering"}
    assert all("foster" in hit.document.title.lower() for hit in search.search("fostring"))
    # Corrected words score a little lower than the right spelling.
    assert search.search("mentl helth")[0].score < search.search("mental health")[0].score
    assert search.search("mentl helth")[0].matched == ("mentl", "helth")


def test_no_corrections_where_none_are_needed() -> None:
    search = index()
    assert search.corrections("mental health") == {}
    assert search.corrections("cre") == {}  # three letters or fewer are never corrected
    assert search.corrections("zzzzqqq") == {}
    assert search.corrections("") == {}


def test_plan_keys_restrict_results() -> None:
    found = keys("assessments", 50, plan_keys={"ilacs-2018"})
    assert found
    assert {plan for _, plan, _ in found} == {"ilacs-2018"}
    assert (REC, "ilacs-2018", "10") in found
    assert keys("mental health", plan_keys={"ilacs-2018"})[0] == (REC, "ilacs-2018", "17")
    assert keys("mental health", plan_keys=set()) == []
    both = keys("foster carers", 50, plan_keys=["ilacs-2022", "fostering-review-2021"])
    assert {plan for _, plan, _ in both} == {"ilacs-2022", "fostering-review-2021"}


@pytest.mark.parametrize("query", ["", "   ", "the of and", "!!!", "zzzzqqq", "'s", "\x00\n"])
def test_garbage_queries_return_nothing(query: str) -> None:
    assert index().search(query) == []


def test_limit() -> None:
    assert len(index().search("children", 3)) == 3
    assert index().search("children", 0) == []
    assert len(index().search("children", 1000)) > 10


def test_results_are_deterministic() -> None:
    for query in ("children", "care leavers", "plans", "mentl helth"):
        assert index().search(query, 30) == index().search(query, 30)
        assert SearchIndex(documents()).search(query, 30) == index().search(query, 30)


def test_ties_break_by_kind_then_plan_then_ref() -> None:
    docs = [
        Document("action", 1, "a-plan", "1.1", "Neglect toolkit"),
        Document("recommendation", 2, "b-plan", "10", "Neglect toolkit"),
        Document("recommendation", 3, "b-plan", "2", "Neglect toolkit"),
        Document("recommendation", 4, "a-plan", "3", "Neglect toolkit"),
    ]
    hits = SearchIndex(docs).search("neglect toolkit")
    assert [hit.document.id for hit in hits] == [4, 3, 2, 1]
    assert len({hit.score for hit in hits}) == 1


def test_phrase_adjacency_ranks_higher() -> None:
    docs = [
        Document("recommendation", 1, "p", "1", "health checks and support for mental wellbeing"),
        Document("recommendation", 2, "p", "2", "support for mental health and wellbeing checks"),
    ]
    assert [hit.document.ref for hit in SearchIndex(docs).search("mental health")] == ["2", "1"]


def test_empty_index() -> None:
    empty = SearchIndex([])
    assert len(empty) == 0
    assert empty.search("mental health") == []
    assert empty.corrections("mentl") == {}


WORDS = ["mental", "health", "supervison", "care", "leavers", "Fostring", "the", "16", "s.47"]


@settings(max_examples=300, deadline=None)
@given(
    query=st.text() | st.lists(st.sampled_from(WORDS)).map(" ".join),
    limit=st.integers(min_value=-2, max_value=25),
)
def test_search_never_raises(query: str, limit: int) -> None:
    hits = index().search(query, limit)
    assert len(hits) <= max(limit, 0)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(hit.score > 0 and hit.matched for hit in hits)
    assert isinstance(index().corrections(query), dict)
