"""Search as coders search: ranked full text, a synonym lexicon, typos, code prefixes and ranges."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hcpcs.errors import LevelOneCodeError
from hcpcs.lookup import is_level_i
from hcpcs.page import ACTUAL, status_on
from hcpcs.search.filters import Filters, checked
from hcpcs.search.lexicon import load_lexicon
from hcpcs.search.query import (
    CODE,
    CODE_PREFIX,
    CODE_RANGE,
    MAX_QUERY_CHARACTERS,
    build_groups,
    fts_expression,
    tokens_of,
)

if TYPE_CHECKING:
    from hcpcs.store import Store

#: Column weights for BM25: code, short description, long description.
BM25_WEIGHTS = (5.0, 2.0, 1.0)
#: Codes read per word group when ranking partial matches.
PER_GROUP_LIMIT = 100
#: Suggestions are picked from this many times as many top BM25 rows (for the head-noun bonus).
SUGGEST_POOL = 4
EXACT_CODE, CODE_MATCH, ALL_WORDS, SOME_WORDS = 1000.0, 500.0, 100.0, 0.0
TERMINATED_PENALTY = 50.0
#: Added to a code whose long description starts with a query word (its head noun).
HEAD_BONUS = 2.0
HEAD_STEM = 5
#: Added (times the share of query groups matched) to a suggestion whose short description spells the query.
SHORT_BONUS = 4.0
#: How much BM25 counts in a suggestion's rank beside SHORT_BONUS and HEAD_BONUS.
SUGGEST_BM25_SCALE = 0.25
_HEAD = re.compile(r"[a-z0-9]+")
EMPTY_HINT = "type words (oxygen tank), a code (E0431), a code prefix (E04) or a range (A4206-A4210)"
NO_MATCH_HINT = "no code matches; try fewer words, another word, or --include-terminated"


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: a code, its descriptions, its status on the search date, its score (higher is better)."""

    code: str
    short_description: str | None
    long_description: str | None
    status: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        # Not dataclasses.asdict: its deep copies were a fifth of a search's time.
        return {
            "code": self.code, "short_description": self.short_description,
            "long_description": self.long_description, "status": self.status, "score": self.score,
        }  # fmt: skip


@dataclass(slots=True)
class SearchResult:
    """A page of results, the total the query yields, and a hint when there is nothing."""

    query: str
    release: str
    total: int
    results: list[Hit] = field(default_factory=list)
    hint: str | None = None
    currency: dict[str, Any] | None = None  # how current the answer is (set when no release was named)

    def to_dict(self) -> dict[str, Any]:
        """JSON: {"query", "release", "total", "results": [...], "hint", "currency"}."""
        data = {
            "query": self.query,
            "release": self.release,
            "total": self.total,
            "results": [hit.to_dict() for hit in self.results],
        }
        if self.hint:
            data["hint"] = self.hint
        if self.currency is not None:
            data["currency"] = self.currency
        return data


class Vocabulary:
    """Every word of a release's descriptions, for typo correction."""

    def __init__(self, counts: Counter) -> None:
        self.counts = counts
        self.words = sorted(counts)

    def has_prefix(self, prefix: str) -> bool:
        at = bisect.bisect_left(self.words, prefix)
        return at < len(self.words) and self.words[at].startswith(prefix)

    def nearest(self, word: str, typing: bool) -> list[str]:
        """Vocabulary words one or two edits away from a word the index lacks (best first)."""
        if len(word) < 4 or not word.isalpha() or word in self.counts or (typing and self.has_prefix(word)):
            return []
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = 1 if len(word) <= 5 else 2
        found = process.extract(word, self.words, scorer=OSA.distance, score_cutoff=limit, limit=20)
        if not found:
            return []
        best = min(distance for _, distance, _ in found)
        closest = [w for w, distance, _ in found if distance == best]
        return sorted(closest, key=lambda w: -self.counts[w])[:3]


def _vocabulary(store: Store, release: str) -> Vocabulary:
    def build() -> Vocabulary:
        counts: Counter = Counter()
        rows = store.connection.execute(
            "SELECT short_description, long_description FROM codes WHERE release = ?", (release,)
        )
        for short, long in rows:
            counts.update(tokens_of(f"{short or ''} {long or ''}".replace("/", " ").replace("-", " ")))
        return Vocabulary(counts)

    return store.remember(("vocabulary", release), build)


_SELECT = "SELECT c.code, c.short_description, c.long_description, c.added_date, c.termination_date"


def _filter_sql(filters: Filters, on: str) -> tuple[str, list]:
    clauses, values = [], []
    for column, value in (("c.kind", filters.kind), ("c.coverage", filters.coverage), ("c.betos", filters.betos)):
        if value:
            clauses.append(f"{column} = ?")
            values.append(value.upper() if column != "c.kind" else value.lower())
    if filters.letter:
        clauses.append("substr(c.code, 1, 1) = ?")
        values.append(filters.letter.upper()[:1])
    if not filters.include_terminated:
        clauses.append(
            "(c.added_date IS NULL OR c.added_date <= ?) AND (c.termination_date IS NULL OR c.termination_date >= ?)"
        )
        values += [on, on]
    return "".join(f" AND {c}" for c in clauses), values


class _Collector:
    """Hits in rank order, each code once, scored by tier, with terminated codes after active ones."""

    def __init__(self, on: str, category: str | None, codebook) -> None:
        self.on, self.category, self.codebook = on, category, codebook
        self.hits: dict[str, Hit] = {}

    def add(self, rows, tier: float, relevance=lambda row: 0.0) -> int:
        added = 0
        for row in rows:
            code, short, long, added_date, terminated = row[:5]
            if code in self.hits:
                continue
            if (
                self.category
                and self.codebook.section(code, "modifier" if len(code) == 2 else "procedure") != self.category
            ):
                continue
            status = status_on(added_date, terminated, self.on)[0]
            score = tier + min(relevance(row), 99.999) - (TERMINATED_PENALTY if status != ACTUAL else 0.0)
            self.hits[code] = Hit(code, short, long, status, round(score, 4))
            added += 1
        return added

    def ranked(self) -> list[Hit]:
        return sorted(self.hits.values(), key=lambda h: (-h.score, h.code))


def search(
    store: Store,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    release: str | None = None,
    on: str | None = None,
    filters: Filters | None = None,
    typos: bool = True,
) -> SearchResult:
    """Rank a release's codes for what a user typed. Never raises on the query text."""
    from hcpcs.codebook import load_codebook

    filters = checked(filters or Filters(), load_codebook())
    label = store.resolve_release(release if release or not on else store.release_on(on))
    on = on or store.release_info(label)["effective_date"]
    text = (query or "")[:MAX_QUERY_CHARACTERS]
    result = SearchResult(query=query or "", release=label, total=0)
    if not tokens_of(text):
        result.hint = EMPTY_HINT
        return result
    where, values = _filter_sql(filters, on)
    collector = _Collector(on, filters.category, load_codebook())
    connection = store.connection
    stripped = text.strip().lower()
    code_range = CODE_RANGE.fullmatch(stripped)
    if code_range:
        first, last = sorted(code_range.groups())
        rows = connection.execute(
            f"{_SELECT} FROM codes c WHERE c.release = ? AND c.code BETWEEN ? AND ?{where} ORDER BY c.code",
            [label, first.upper(), last.upper(), *values],
        )
        collector.add(rows, CODE_MATCH)
        return _page(result, collector, limit, offset)
    if CODE.fullmatch(stripped):
        rows = connection.execute(
            f"{_SELECT} FROM codes c WHERE c.release = ? AND c.code = ?{where}", [label, stripped.upper(), *values]
        )
        collector.add(rows, EXACT_CODE)
    if CODE_PREFIX.fullmatch(stripped):
        prefix = stripped.upper()
        rows = connection.execute(
            f"{_SELECT} FROM codes c WHERE c.release = ? AND c.code >= ? AND c.code < ?{where} ORDER BY c.code",
            [label, prefix, prefix + "\uffff", *values],
        )
        collector.add(rows, CODE_MATCH)
    _text_tiers(store, collector, text, label, where, values, typos)
    return _page(result, collector, limit, offset)


def _head_matches(long: str | None, groups) -> bool:
    """Whether a description starts with a query word: CMS names the item first ("Crutches, forearm")."""
    head = _HEAD.match((long or "").lower())
    if not head:
        return False
    stem = head.group(0)[:HEAD_STEM]
    return any(
        words and len(words[0]) >= 3 and words[0][:HEAD_STEM] == stem
        for group in groups
        for words in group.alternatives
    )


def _id_range(store: Store, release: str) -> tuple[int, int]:
    """The release's first and last code id: its rows are contiguous (loaded in one transaction)."""
    return store.remember(
        ("ids", release),
        lambda: store.connection.execute("SELECT min(id), max(id) FROM codes WHERE release = ?", (release,)).fetchone(),
    )


def _with_head_bonus(groups):
    """BM25 relevance of a row, plus the bonus when its description starts with a query word."""
    return lambda row: -row[5] + (HEAD_BONUS if _head_matches(row[2], groups) else 0.0)


def _short_covers(short: str | None, groups) -> float:
    """The share of query groups the short description (what a suggestion shows) spells out.

    A word still being typed counts when a word of the short description starts with it, so
    "oxygen conc" credits "Oxygen concentrator" as much as "port conc" (the abbreviation the
    lexicon expands): full words rank with the abbreviations they expand from.
    """
    words = _HEAD.findall((short or "").lower())
    stems = {word[:HEAD_STEM] for word in words}

    def spelled(alternative: tuple[str, ...], prefix: bool) -> bool:
        return all(
            any(w.startswith(part) for w in words)
            if prefix and n == len(alternative) - 1
            else part[:HEAD_STEM] in stems
            for n, part in enumerate(alternative)
        )

    found = sum(any(spelled(a, group.prefix and i == 0) for i, a in enumerate(group.alternatives)) for group in groups)
    return found / len(groups)


def _suggest_relevance(groups):
    """Suggestions: the share of groups the short description spells out, the head-noun bonus,
    then BM25, scaled down so a rare abbreviation's weight does not outrank the full word."""
    return lambda row: (
        SHORT_BONUS * _short_covers(row[1], groups)
        + (HEAD_BONUS if _head_matches(row[2], groups) else 0.0)
        + SUGGEST_BM25_SCALE * -row[5]
    )


def _fts_sql(where: str) -> str:
    # CROSS JOIN keeps the index lookup outside: one FTS query, not one per code of the release.
    return (
        f"{_SELECT}, bm25(codes_fts, {', '.join(map(str, BM25_WEIGHTS))}) AS rank "
        f"FROM codes_fts CROSS JOIN codes c ON c.id = codes_fts.rowid "
        f"WHERE codes_fts MATCH ? AND codes_fts.rowid BETWEEN ? AND ?{where} ORDER BY rank"
    )


def _all_words(store: Store, collector: _Collector, groups, label: str, where: str, values: list) -> int:
    """Codes matching every group, by BM25 plus the head-noun bonus; how many there were."""
    first, last = _id_range(store, label)
    rows = store.connection.execute(_fts_sql(where), [fts_expression(groups, "AND"), first, last, *values]).fetchall()
    collector.add(rows, ALL_WORDS, relevance=_with_head_bonus(groups))
    return len(rows)


def _some_words(store: Store, collector: _Collector, groups, label: str, where: str, values: list) -> None:
    """Codes matching some groups: each group scored on its own (so synonyms of one word do not
    add up), the sum scaled by the share of groups matched.
    """
    first, last = _id_range(store, label)
    per_group: list[dict[str, float]] = []
    seen: dict[str, tuple] = {}
    for group in groups:
        scores = {}
        sql = f"{_fts_sql(where)} LIMIT {PER_GROUP_LIMIT}"
        for row in store.connection.execute(sql, [fts_expression([group]), first, last, *values]):
            scores[row[0]] = -row[5]
            seen.setdefault(row[0], row)
        per_group.append(scores)
    combined = {}
    for code in seen:
        matched = [scores[code] for scores in per_group if code in scores]
        combined[code] = sum(matched) * len(matched) / len(groups)
    ranked = sorted(seen, key=lambda code: -combined[code])
    collector.add((seen[code] for code in ranked), SOME_WORDS, relevance=lambda row: combined[row[0]])


def _no_corrections(word: str, typing: bool) -> list[str]:
    return []


def _text_tiers(
    store: Store, collector: _Collector, text: str, label: str, where: str, values: list, typos: bool
) -> None:
    """All the words as typed; failing that, with misspelled words corrected; failing that, some words."""
    lexicon = load_lexicon()
    groups = build_groups(text, lexicon, _no_corrections)
    if not groups or _all_words(store, collector, groups, label, where, values):
        return
    if typos:
        corrected = build_groups(text, lexicon, _vocabulary(store, label).nearest)
        if corrected != groups:
            groups = corrected
            if _all_words(store, collector, groups, label, where, values):
                return
    if len(groups) > 1:
        _some_words(store, collector, groups, label, where, values)


def _page(result: SearchResult, collector: _Collector, limit: int, offset: int) -> SearchResult:
    ranked = collector.ranked()
    result.total = len(ranked)
    result.results = ranked[offset : offset + limit]
    if not ranked:
        typed = result.query.strip().upper()
        result.hint = str(LevelOneCodeError(typed, result.release)) if is_level_i(typed) else NO_MATCH_HINT
    return result


def suggest(store: Store, prefix: str, *, limit: int = 10, release: str | None = None) -> list[dict[str, str | None]]:
    """As-you-type suggestions: codes in force and their short descriptions for what is typed so far.

    A light path for every keystroke: code prefixes by range, words by one prefix-AND query
    with the lexicon, no typo correction and no partial matches.
    """
    from hcpcs.codebook import load_codebook

    label = store.resolve_release(release)
    on = store.release_info(label)["effective_date"]
    text = (prefix or "")[:MAX_QUERY_CHARACTERS]
    typed = text.strip().lower()
    if not typed:
        return []
    where, values = _filter_sql(Filters(), on)
    collector = _Collector(on, None, load_codebook())
    if (len(typed) == 1 and typed.isalpha()) or CODE_PREFIX.fullmatch(typed) or CODE.fullmatch(typed):
        rows = store.connection.execute(
            f"{_SELECT} FROM codes c WHERE c.release = ? AND c.code >= ? AND c.code < ?{where} ORDER BY c.code LIMIT ?",
            [label, typed.upper(), typed.upper() + "\uffff", *values, limit],
        )
        collector.add(rows, CODE_MATCH)
    if len(collector.hits) < limit and len(typed) > 1:
        # The last word may be one letter so far ("cpap m"): it matches word starts.
        groups = build_groups(text, load_lexicon(), _no_corrections, shortest_prefix=1)
        if groups:
            first, last = _id_range(store, label)
            rows = store.connection.execute(
                f"{_SELECT}, bm25(codes_fts, {', '.join(map(str, BM25_WEIGHTS))}) AS rank "
                f"FROM codes_fts CROSS JOIN codes c ON c.id = codes_fts.rowid "
                f"WHERE codes_fts MATCH ? AND codes_fts.rowid BETWEEN ? AND ?{where} ORDER BY rank LIMIT ?",
                [fts_expression(groups, "AND"), first, last, *values, limit * SUGGEST_POOL],
            )
            collector.add(rows, ALL_WORDS, relevance=_suggest_relevance(groups))
    return [{"code": hit.code, "short_description": hit.short_description} for hit in collector.ranked()[:limit]]
