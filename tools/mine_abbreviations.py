"""Find the abbreviations CMS's short descriptions use, with the long-description word each stands for.

For every code, a short-description word that is not in the long description and whose
letters appear in order in a long-description word starting with the same letter is a
candidate abbreviation of that word. Candidates seen in several codes, nearly always
for the same word, are printed as lexicon rows for review (search/lexicon.csv).

    python tools/mine_abbreviations.py [--release LABEL] [--min-codes N]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict

import hcpcs

WORD = re.compile(r"[a-z0-9]+")


def is_abbreviation(short: str, long: str) -> bool:
    """Whether `short` is `long` with letters left out (same first letter, letters in order)."""
    if len(short) >= len(long) or short[0] != long[0] or not short.isalpha():
        return False
    rest = iter(long)
    return all(letter in rest for letter in short)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release")
    parser.add_argument("--min-codes", type=int, default=3)
    arguments = parser.parse_args()
    pairs: dict[str, Counter] = defaultdict(Counter)
    examples: dict[tuple[str, str], str] = {}
    with hcpcs.open() as store:
        for record in store.records(arguments.release):
            short_words = set(WORD.findall((record.short_description or "").lower()))
            long_words = set(WORD.findall((record.long_description or "").lower()))
            for short in short_words - long_words:
                for long in long_words:
                    if len(short) >= 2 and is_abbreviation(short, long):
                        pairs[short][long] += 1
                        examples.setdefault((short, long), record.code)
    print("term,expansion,source")
    for short, counts in sorted(pairs.items()):
        (long, count), total = counts.most_common(1)[0], sum(counts.values())
        if count >= arguments.min_codes and count / total >= 0.6:
            example = examples[(short, long)]
            print(f'{short},{long},"CMS short descriptions abbreviate it so in {count} codes (e.g. {example})"')


if __name__ == "__main__":
    main()
