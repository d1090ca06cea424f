"""`/ofsted search WORDS`: recommendations and actions ranked by relevance."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commands.context import Context, Invocation
from commands.registry import UsageError, command
from commands.views.catalogue import SEARCH_PER_PAGE, search_view
from commands.views.kit import Reply
from db.search import FoundAction, FoundRecommendation, found_items
from db.search_index import Hit

# The query rides in the *More* and *Share* buttons' values (at most 2,000 characters, and
# JSON may spell a letter in 12): 150 letters always fit, and are plenty for a search.
MAX_QUERY = 150


def _load(
    session: Session, hits: list[Hit], ctx: Context
) -> list[FoundRecommendation | FoundAction]:
    rec_ids = [h.document.id for h in hits if h.document.kind == "recommendation"]
    action_ids = [h.document.id for h in hits if h.document.kind == "action"]
    recs, acts = found_items(session, rec_ids, action_ids)
    found: list[FoundRecommendation | FoundAction] = []
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
