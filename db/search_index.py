"""A small in-memory relevance index over recommendations and actions (`/ofsted search WORDS`).

Text is tokenised (Unicode letters and digits, case-folded), English stopwords are dropped and
words are stemmed with the Snowball English stemmer, so word forms match (assessing and
assessments). Documents are ranked with BM25F: the title counts more than the extra text.
Documents that match every query term, and whose title has consecutive query terms next to each
other, get a bonus. A query word the index has never seen is corrected to the nearest indexed word
(one edit for words of 4-7 letters, two for longer) and scores a little lower; a word is also
matched, lower still, to indexed stems it is a prefix of, or that are a prefix of it.

Building only counts words: stemming is slow in pure Python, so it is done when a query needs
it, for the indexed words that could share the query word's stem (those starting with all but
its last letter), and cached. `db.search.SearchCatalogue` holds a process's index, built from
the database and rebuilt when the plans change.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import re
import threading
import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2.0
EXTRA_WEIGHT = 1.0
ALL_TERMS_BONUS = 0.25  # score × (1 + bonus) when a document matches every query term
PHRASE_BONUS = 0.2  # score × (1 + bonus × share of consecutive query terms adjacent in the title)
PREFIX_WEIGHT = 0.6
CORRECTION_WEIGHTS = {1: 0.85, 2: 0.75}  # by number of edits
MAX_QUERY_TERMS = 32
MAX_PREFIX_EXPANSIONS = 50
MAX_WORD_LENGTH = 40  # longer words are neither stemmed nor corrected

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own s same she should so some such t than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves""".split()  # noqa: SIM905 (a list literal would be 130 lines)
)

_WORD = re.compile(r"[^\W_]+")
_NUMBER_PARTS = re.compile(r"(\d+)", re.ASCII)
_KIND_ORDER = {"recommendation": 0, "action": 1}


@dataclass(frozen=True)
class Document:
    kind: Literal["recommendation", "action"]
    id: int  # database id
    plan_key: str
    ref: str  # recommendation number ("4", "a", "B") or action ref ("4.2")
    title: str  # recommendation text or action title (what is matched most strongly)
    extra: str = ""  # other searchable text with lower weight (theme title, owner post, area)


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float
    matched: tuple[str, ...]  # the query terms (as the user typed them) that matched something


def _normalise(word: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", word).casefold())


def _query_words(text: str) -> list[tuple[str, str]]:
    """(as typed, normalised) for each word of `text` that is not a stopword."""
    return [
        (typed, norm)
        for typed in _WORD.findall(text)
        for norm in _normalise(typed)
        if norm not in STOPWORDS
    ]


def _doc_words(text: str) -> list[str]:
    words = _WORD.findall(text.lower()) if text.isascii() else _normalise(text)
    return [w for w in words if w not in STOPWORDS]


def _tie_key(doc: Document) -> tuple[object, ...]:
    ref = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _NUMBER_PARTS.split(doc.ref))
    return (_KIND_ORDER.get(doc.kind, 2), doc.plan_key, ref, doc.id)


class SearchIndex:
    def __init__(self, documents: Iterable[Document]) -> None:
        self._docs = list(documents)
        self._titles: list[tuple[str, ...]] = []  # for phrase adjacency
        self._title_pairs: dict[int, frozenset[tuple[str, str]]] = {}
        lengths: list[tuple[int, int]] = []  # words in title, in extra
        title_tf: dict[str, dict[int, int]] = defaultdict(dict)  # word -> doc -> count
        extra_tf: dict[str, dict[int, int]] = defaultdict(dict)
        for i, doc in enumerate(self._docs):
            title, extra = _doc_words(doc.title), _doc_words(doc.extra)
            self._titles.append(tuple(title))
            lengths.append((len(title), len(extra)))
            for word, count in Counter(title).items():
                title_tf[word][i] = count
            for word, count in Counter(extra).items():
                extra_tf[word][i] = count
        self._title_tf, self._extra_tf = dict(title_tf), dict(extra_tf)
        n = len(self._docs) or 1
        avg_title = max(sum(t for t, _ in lengths) / n, 1.0)
        avg_extra = max(sum(e for _, e in lengths) / n, 1.0)
        # BM25F: field weight / length normalisation, per document.
        self._title_norm = [TITLE_WEIGHT / (1 - B + B * t / avg_title) for t, _ in lengths]
        self._extra_norm = [EXTRA_WEIGHT / (1 - B + B * e / avg_extra) for _, e in lengths]
        self._rank = [0] * len(self._docs)  # position in tie-break order
        for rank, i in enumerate(
            sorted(range(len(self._docs)), key=lambda i: _tie_key(self._docs[i]))
        ):
            self._rank[i] = rank
        self._words = sorted(self._title_tf.keys() | self._extra_tf.keys())
        self._vocabulary = [w for w in self._words if w.isalpha()]  # for typo correction
        self._stemmer = snowballstemmer.stemmer("english")
        self._stemmer_lock = threading.Lock()  # the stemmer keeps state while it works
        self._stem = functools.lru_cache(maxsize=100_000)(self._stem_uncached)
        self._stem_words = functools.lru_cache(maxsize=4096)(self._stem_words_uncached)
        self._stem_scores = functools.lru_cache(maxsize=256)(self._stem_scores_uncached)
        self._correct = functools.lru_cache(maxsize=4096)(self._correct_uncached)
        self._expand = functools.lru_cache(maxsize=4096)(self._expand_uncached)

    def __len__(self) -> int:
        return len(self._docs)

    def _stem_uncached(self, word: str) -> str:
        with self._stemmer_lock:
            return str(self._stemmer.stemWord(word))

    def _starting(self, prefix: str) -> Iterable[str]:
        for k in range(bisect_left(self._words, prefix), len(self._words)):
            if not self._words[k].startswith(prefix):
                return
            yield self._words[k]

    def _stem_words_uncached(self, stem: str) -> frozenset[str]:
        """The indexed words with this stem."""
        if not stem.isalpha():
            return (
                frozenset({stem})
                if stem in self._title_tf or stem in self._extra_tf
                else frozenset()
            )
        # Every word starts with its stem but for the last letter ("happi" <- "happy"), except
        # "dying", "lying", "tying".
        prefixes = {stem[: max(2, len(stem) - 1)]}
        if len(stem) == 3 and stem.endswith("ie"):
            prefixes.add(stem[0] + "y")
        return frozenset(w for p in prefixes for w in self._starting(p) if self._stem(w) == stem)

    def _stem_scores_uncached(self, stem: str) -> dict[int, float]:
        """BM25F score of the stem in each document that has it."""
        tf: dict[int, float] = {}  # weighted, length-normalised term frequency
        for word in self._stem_words(stem):
            for postings, norms in (
                (self._title_tf, self._title_norm),
                (self._extra_tf, self._extra_norm),
            ):
                for i, count in postings.get(word, {}).items():
                    tf[i] = tf.get(i, 0.0) + count * norms[i]
        idf = math.log(1.0 + (len(self._docs) - len(tf) + 0.5) / (len(tf) + 0.5))
        return {i: idf * x / (K1 + x) for i, x in tf.items()}

    def _df(self, word: str) -> int:
        return len(self._title_tf.get(word, {}).keys() | self._extra_tf.get(word, {}).keys())

    def _correct_uncached(self, word: str) -> tuple[str, int] | None:
        """The indexed word nearest to `word` and the number of edits, if close enough."""
        if not word.isalpha() or not 4 <= len(word) <= MAX_WORD_LENGTH:
            return None
        max_edits = 1 if len(word) <= 7 else 2
        found = process.extract(
            word, self._vocabulary, scorer=OSA.distance, score_cutoff=max_edits, limit=None
        )
        if not found:
            return None
        # Fewest edits, then the word in most documents, then alphabetical.
        best, edits, _ = min(found, key=lambda f: (f[1], -self._df(f[0]), f[0]))
        return (str(best), int(edits)) if edits else None

    def _expand_uncached(self, word: str) -> tuple[dict[str, float], str | None]:
        """Stems matching a query word with their weights, and the word it was corrected to."""
        stem = self._stem(word) if word.isalpha() and len(word) <= MAX_WORD_LENGTH else word
        weights: dict[str, float] = {}
        corrected = None
        if self._stem_words(stem):
            weights[stem] = 1.0
        elif (correction := self._correct(word)) is not None:
            corrected, edits = correction
            weights[self._stem(corrected)] = CORRECTION_WEIGHTS[edits]
        if stem.isalpha() and (len(stem) >= 5 or (len(stem) == 4 and not weights)):
            # Stems of indexed words that start with this one ("child" -> "children") ...
            for k, other in enumerate(self._starting(stem)):
                if k == MAX_PREFIX_EXPANSIONS:
                    break
                weights.setdefault(self._stem(other), PREFIX_WEIGHT)
            # ... and indexed stems this one starts with ("supervisor" -> "supervis").
            for end in range(max(5, len(stem) - 3), len(stem)):
                if self._stem_words(stem[:end]):
                    weights.setdefault(stem[:end], PREFIX_WEIGHT)
        return weights, corrected

    def _pairs(self, i: int) -> frozenset[tuple[str, str]]:
        """The adjacent word pairs of a document's title (made when a phrase search first
        needs them)."""
        pairs = self._title_pairs.get(i)
        if pairs is None:
            pairs = self._title_pairs[i] = frozenset(itertools.pairwise(self._titles[i]))
        return pairs

    def _terms(self, query: str) -> list[tuple[str, str]]:
        terms: dict[str, str] = {}
        for typed, norm in _query_words(query):
            terms.setdefault(norm, typed)
        return [(typed, norm) for norm, typed in terms.items()][:MAX_QUERY_TERMS]

    def corrections(self, query: str) -> dict[str, str]:
        """Typed word -> the indexed word it was corrected to, for "showing results for …"."""
        found = {}
        for typed, norm in self._terms(query):
            corrected = self._expand(norm)[1]
            if corrected is not None:
                found[typed] = corrected
        return found

    def _term_scores(self, weights: dict[str, float]) -> dict[int, float]:
        """Each document's best score for one query term (over the stems it expands to)."""
        if len(weights) == 1 and next(iter(weights.values())) == 1.0:
            return self._stem_scores(next(iter(weights)))
        best: dict[int, float] = {}
        for stem, weight in weights.items():
            for i, score in self._stem_scores(stem).items():
                if weight * score > best.get(i, 0.0):
                    best[i] = weight * score
        return best

    def _scores(
        self, expansions: list[dict[str, float]], keep: set[str] | None
    ) -> tuple[dict[int, float], dict[int, int]]:
        """The documents' summed scores, and which terms each matches (bit t: term t)."""
        scores: dict[int, float] = {}
        masks: dict[int, int] = {}
        for t, weights in enumerate(expansions):
            best = self._term_scores(weights) if weights else {}
            if keep is not None:
                best = {i: s for i, s in best.items() if self._docs[i].plan_key in keep}
            if not scores:  # the first term that matches: copied (in C), not added up
                scores, masks = dict(best), dict.fromkeys(best, 1 << t)
                continue
            for i, score in best.items():
                scores[i] = scores.get(i, 0.0) + score
                masks[i] = masks.get(i, 0) | 1 << t
        return scores, masks

    def search(
        self, query: str, limit: int = 10, *, plan_keys: Collection[str] | None = None
    ) -> list[Hit]:
        terms = self._terms(query)
        expansions = [self._expand(norm)[0] for _, norm in terms]
        scores, masks = self._scores(expansions, None if plan_keys is None else set(plan_keys))
        if limit <= 0 or not scores:
            return []
        every = sum(1 << t for t, weights in enumerate(expansions) if weights)
        if every & (every - 1):  # more than one term matches something
            for i, mask in masks.items():
                if mask == every:
                    scores[i] *= 1.0 + ALL_TERMS_BONUS
        # Only documents scoring near the limit-th best can be in the results; the phrase bonus
        # lifts a score by at most PHRASE_BONUS.
        floor = heapq.nlargest(limit, scores.values())[-1] * (1 - 1e-9)
        if len(terms) > 1:
            words = [frozenset().union(*map(self._stem_words, weights)) for weights in expansions]
            # the word pairs that make consecutive query terms a phrase
            phrases = [
                set(itertools.product(words[t], words[t + 1])) for t in range(len(terms) - 1)
            ]
            for i, score in scores.items():
                mask = masks[i]
                if score * (1.0 + PHRASE_BONUS) < floor or not mask & (mask >> 1):
                    continue
                pairs = self._pairs(i)
                adjacent = sum(
                    not pairs.isdisjoint(phrase)
                    for t, phrase in enumerate(phrases)
                    if mask >> t & 3 == 3
                )
                scores[i] = score * (1.0 + PHRASE_BONUS * adjacent / (len(terms) - 1))
            floor = max(floor, heapq.nlargest(limit, scores.values())[-1] * (1 - 1e-9))
        top = sorted((-round(s, 9), self._rank[i], i) for i, s in scores.items() if s >= floor)
        return [
            Hit(
                self._docs[i],
                scores[i],
                tuple(t for n, (t, _) in enumerate(terms) if masks[i] >> n & 1),
            )
            for _, _, i in top[:limit]
        ]
