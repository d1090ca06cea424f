"""`/ofsted search WORDS`: recommendations and actions ranked by relevance."""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session

from commands.context import Context, Invocation
from commands.registry import UsageError, command
from commands.views.catalogue import SEARCH_PER_PAGE, search_view
from commands.views.common import Reply
from db.lookups import actions_by_id, recommendations_by_id
from db.models import Action, Recommendation
from db.overview import data_version, search_documents_source
from db.search import Document, Hit, SearchIndex

RECHECK_SECONDS = 5.0
# The query rides in the *More* and *Share* buttons' values (at most 2,000 characters, and
# JSON may spell a letter in 12): 150 letters always fit, and are plenty for a search.
MAX_QUERY = 150


class SearchCatalogue:
    """The search index, built from the database and rebuilt when the plans change.

    Whether the plans changed is checked at most every few seconds with one cheap query, so
    that several processes sharing one database stay in step after a plan import.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._version: tuple[object, ...] | None = None
        self._checked = 0.0

    def index(self, session: Session) -> SearchIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked < RECHECK_SECONDS:
            return self._index
        with self._lock:
            version = data_version(session)
            if self._index is None or version != self._version:
                self._index = SearchIndex(self._documents(session))
                self._version = version
            self._checked = now
            return self._index

    @staticmethod
    def _documents(session: Session) -> list[Document]:
        recs, actions = search_documents_source(session)
        docs = [
            Document(
                "recommendation",
                r.id,
                r.plan.key,
                r.number,
                r.text,
                " ".join(filter(None, [r.theme.title if r.theme else "", r.area or ""])),
            )
            for r in recs
        ]
        docs += [
            Document(
                "action",
                a.id,
                a.plan.key,
                a.ref,
                a.title,
                a.owner_post.title if a.owner_post else "",
            )
            for a in actions
        ]
        return docs


def _load(session: Session, hits: list[Hit], ctx: Context) -> list[Recommendation | Action]:
    rec_ids = [h.document.id for h in hits if h.document.kind == "recommendation"]
    action_ids = [h.document.id for h in hits if h.document.kind == "action"]
    recs = {r.id: r for r in recommendations_by_id(session, rec_ids)}
    acts = {c.action.id: c.action for c in actions_by_id(session, action_ids, ctx.today)}
    found: list[Recommendation | Action] = []
    for hit in hits:
        table = recs if hit.document.kind == "recommendation" else acts
        item = table.get(hit.document.id)
        if item is not None:
            found.append(item)
    return found


@command(
    "search",
    usage="search WORDS",
    summary="find recommendations and actions by words, best match first",
    details="Word forms and small typos are forgiven: `supervise` finds supervision.",
    examples=("search supervision", "search mental health"),
    aliases=("find", "s"),
)
def search(ctx: Context, inv: Invocation) -> Reply:
    query = inv.raw.strip()
    if not query:
        raise UsageError(
            "Search for what? e.g. `/ofsted search supervision`.",
            suggestions=["search supervision"],
        )
    if len(query) > MAX_QUERY:
        raise UsageError(
            f"That search is too long ({len(query):,} characters): search for a few words, "
            f"up to {MAX_QUERY} characters, e.g. `/ofsted search supervision`.",
            suggestions=["search supervision"],
        )
    with ctx.db.sessions() as session:
        index = ctx.catalogue.index(session)
        start = inv.page * SEARCH_PER_PAGE
        hits = index.search(query, limit=start + SEARCH_PER_PAGE + 1 + 40)
        total = len(hits)
        page = hits[start : start + SEARCH_PER_PAGE]
        items = _load(session, page, ctx)
    corrections = index.corrections(query)
    return search_view(query, items, total, corrections, ctx.viewing(inv, f"search {query}"))
