"""The search lexicon: what people type mapped to the words CMS uses (a data file with sources)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon row: a term (one or more words) and the CMS wordings it stands for."""

    term: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]  # each alternative needs all its words
    source: str


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Entries by their first word, longest terms first."""

    by_first_word: dict[str, tuple[Entry, ...]]

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.by_first_word.values())

    def match(self, tokens: list[str], start: int) -> Entry | None:
        """The longest entry whose term starts at tokens[start]."""
        for entry in self.by_first_word.get(tokens[start], ()):
            end = start + len(entry.term)
            if tuple(tokens[start:end]) == entry.term:
                return entry
        return None


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.lower().split())


@cache
def load_lexicon() -> Lexicon:
    """The lexicon shipped in the package (read once)."""
    text = (files("hcpcs") / "search" / "lexicon.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO("".join(line for line in text.splitlines(True) if not line.startswith("#"))))
    grouped: dict[str, list[Entry]] = {}
    for row in rows:
        term = _words(row["term"])
        alternatives = tuple(_words(a) for a in row["expansion"].split("|") if a.strip())
        grouped.setdefault(term[0], []).append(Entry(term, alternatives, row["source"]))
    return Lexicon({word: tuple(sorted(entries, key=lambda e: -len(e.term))) for word, entries in grouped.items()})
