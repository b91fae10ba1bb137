"""Turn what a user typed into concept groups: each a set of alternative wordings, ANDed together."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from hcpcs.search.lexicon import Lexicon

#: Longest query text read; the rest of a pasted page is ignored.
MAX_QUERY_CHARACTERS = 500
#: Most words a query is matched with.
MAX_WORDS = 16
_TOKEN = re.compile(r"[a-z0-9]+(?:[/'-][a-z0-9]+)*")
_FTS_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset("a an the of for with and or to in on by at from is are my me i need needs per".split())
#: A word typed last is also matched by its stem from this length on (shorter ones are prefixes only).
STEM_AFTER = 4
CODE = re.compile(r"[a-z0-9]{5}|[a-z0-9]{2}")
CODE_PREFIX = re.compile(r"[a-z]\d{1,4}")
CODE_RANGE = re.compile(r"([a-z]\d{4})\s*-\s*([a-z]\d{4})")


@dataclass(slots=True)
class Group:
    """One concept of the query: alternatives (each a tuple of words that must all match)."""

    typed: str
    alternatives: list[tuple[str, ...]] = field(default_factory=list)
    prefix: bool = False  # the last word typed, still being typed: match word starts

    def add(self, words: tuple[str, ...]) -> None:
        if words and words not in self.alternatives:
            self.alternatives.append(words)


def tokens_of(text: str) -> list[str]:
    """Lower-cased query words (keeping w/c, non-sterile, depo-provera whole), accents folded as
    the index folds them (über: uber), so no word is cut at a letter outside a-z."""
    folded = unicodedata.normalize("NFKD", text[:MAX_QUERY_CHARACTERS].lower())
    return _TOKEN.findall("".join(ch for ch in folded if not unicodedata.combining(ch)))[:MAX_WORDS]


def fts_words(words: tuple[str, ...]) -> list[str]:
    """Words as the index splits them (w/c is w and c)."""
    return [w for word in words for w in _FTS_WORD.findall(word)]


def build_groups(text: str, lexicon: Lexicon, correct, shortest_prefix: int = 2) -> list[Group]:
    """Concept groups for the query text, with lexicon expansions and typo corrections.

    `correct(word, is_last)` returns vocabulary words near a word the index lacks; a last word
    still being typed matches word starts from `shortest_prefix` letters (suggestions use 1).
    """
    tokens = tokens_of(text)
    ends_while_typing = bool(text) and not text[-1].isspace()
    groups: list[Group] = []
    position = 0
    while position < len(tokens):
        entry = lexicon.match(tokens, position)
        if entry:
            span = tokens[position : position + len(entry.term)]
            group = Group(" ".join(span))
            group.add(tuple(span))
            for alternative in entry.alternatives:
                group.add(alternative)
            position += len(entry.term)
            # Suggesting: a term still being typed ("oxygen conc") also matches the words it starts
            # ("concentrator"), so they rank with the abbreviation the lexicon expands.
            group.prefix = shortest_prefix == 1 and position == len(tokens) and ends_while_typing
        else:
            word = tokens[position]
            position += 1
            if word in STOPWORDS:
                continue
            group = Group(word)
            group.add((word,))
            is_last = position == len(tokens)
            for near in correct(word, is_last and ends_while_typing):
                group.add((near,))
            group.prefix = is_last and ends_while_typing and len(word) >= shortest_prefix
        if all(group.alternatives != kept.alternatives for kept in groups):
            groups.append(group)
    return groups


def _quote(word: str) -> str:
    return '"' + word.replace('"', "") + '"'


def fts_expression(groups: list[Group], operator: str = "AND") -> str:
    """An FTS5 MATCH expression: groups joined by AND (or OR), alternatives by OR.

    Every word is quoted, so nothing a user types is read as FTS syntax.
    """
    parts = []
    for group in groups:
        alternatives = []
        for index, words in enumerate(group.alternatives):
            split = fts_words(words)
            if not split:
                continue
            quoted = [_quote(w) for w in split]
            if group.prefix and index == 0:
                # A word still being typed matches word starts; a finished one its stem (batteries: battery).
                stem = f" OR {quoted[-1]}" if len(split[-1]) >= STEM_AFTER else ""
                quoted[-1] = f"({quoted[-1]}*{stem})"
            alternatives.append("(" + " AND ".join(quoted) + ")")
        if alternatives:
            parts.append("(" + " OR ".join(alternatives) + ")")
    return f" {operator} ".join(parts)
