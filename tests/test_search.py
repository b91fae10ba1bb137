"""Search on the bundled releases: words, lexicon, typos, codes, filters, and any input at all."""

from __future__ import annotations

import csv
import json
from importlib.resources import files

import pytest

from hcpcs.errors import UnknownValueError
from hcpcs.search import EMPTY_HINT, NO_MATCH_HINT
from hcpcs.search.lexicon import load_lexicon
from hcpcs.search.query import fts_words
from hcpcs.store import Store

from conftest import run_cli


@pytest.fixture(scope="module")
def store(full_store):
    with Store(full_store) as opened:
        yield opened


def top(store, query, n=5, **options):
    return [hit.code for hit in store.search(query, limit=n, **options).results]


@pytest.mark.parametrize(
    "query, code",
    [
        ("o2 tank", "E0431"),  # lay + abbreviation: 'Portable gaseous oxygen system'
        ("ankle brace", "L1902"),  # brace -> orthosis
        ("iv pole", "E0776"),
        ("sleep apnea machine", "E0601"),  # -> continuous positive airway pressure device
        ("epo", "J0885"),  # -> epoetin alfa
        ("humira", "J0139"),  # brand -> adalimumab (J0135 ended 2024-12-31; J0139 is its successor)
        ("b12 shot", "J3420"),
        ("oxigen concentrator", "E1390"),  # typo
        ("urinary cathater intermittent", "A4353"),  # typo
        ("wheelchiar cushion", "E2601"),  # transposed letters
    ],
)
def test_lay_words_abbreviations_brands_and_typos_find_the_code(store, query, code):
    assert code in top(store, query, 8)


def test_nlm_style_prefix_and_misses_what_we_find(store):
    """A check that the lexicon does the work: the words alone are not in CMS's text."""
    for word in ("humira", "glucometer", "cpap"):
        rows = store.connection.execute(
            "SELECT count(*) FROM codes WHERE release = '2020-10' AND (lower(long_description) LIKE ? "
            "OR lower(short_description) LIKE ?)",
            (f"%{word}%", f"%{word}%"),
        ).fetchone()[0]
        if word != "cpap":
            assert rows == 0
        assert store.search(word).total > 0


def test_word_order_and_plurals_do_not_matter(store):
    assert top(store, "orthosis ankle foot plastic", 3) == top(store, "plastic ankle foot orthosis", 3)
    assert top(store, "walkers", 5) == top(store, "walker", 5)
    assert "E0112" in top(store, "crutches underarm pair wood", 3)


def test_words_typed_so_far_match_as_prefixes(store):
    assert "E1390" in top(store, "oxygen concen", 5)
    assert top(store, "oxygen concentrator ", 5)[:3] == top(store, "oxygen concentrator", 5)[:3]


def test_codes_prefixes_ranges_and_modifiers(store):
    assert top(store, " j9035 ", 1) == ["J9035"]
    assert top(store, "L18", 20) == sorted(top(store, "L18", 20))
    assert all(code.startswith("L18") for code in top(store, "L18", 20))
    assert top(store, "A4206-A4210", 10) == ["A4206", "A4207", "A4208", "A4209", "A4210"]
    assert top(store, "a4210 - a4206", 10) == ["A4206", "A4207", "A4208", "A4209", "A4210"]
    assert top(store, "lt", 1) == ["LT"]
    assert top(store, "k00", 3) == ["K0001", "K0002", "K0003"]


def test_terminated_codes_are_left_out_unless_asked_and_then_come_last(store):
    assert "A4466" not in top(store, "A4466", 5)
    found = store.search("A4466", include_terminated=True)
    assert [(h.code, h.status) for h in found.results] == [("A4466", "Terminated")]
    mixed = store.search("epoetin", limit=50, include_terminated=True).results
    statuses = [h.status for h in mixed]
    assert "Terminated" in statuses and "Actual" in statuses
    assert statuses == sorted(statuses, key=lambda status: status != "Actual")  # codes in force first


def test_on_date_picks_the_release_in_effect(store):
    assert store.search("oxygen", on="2020-05-15").release == "2020-04"
    assert store.search("oxygen", on="2010-01-01").release == "2019-01"
    assert store.search("covid test").total > 0
    assert not any(h.code.startswith("U000") for h in store.search("covid test", release="2019-01").results)


def test_filters(store):
    assert all(len(code) == 2 for code in top(store, "left", 10, kind="modifier"))
    assert all(code.startswith("E") for code in top(store, "oxygen", 10, letter="e"))
    for hit in store.search("oxygen", limit=20, coverage="M").results:
        assert store.record(hit.code).coverage == "M"
    for hit in store.search("oxygen", limit=20, betos="D1C").results:
        assert store.record(hit.code).betos == "D1C"
    supplies = store.search("catheter", limit=50, category="Medical and surgical supplies").results
    assert supplies and all(h.code.startswith("A") for h in supplies)


@pytest.mark.parametrize("query", ['"', "*", "-", "()", "🙂", "\x00", "   "])
def test_text_without_words_returns_nothing_and_the_typing_hint(store, query):
    result = store.search(query)
    assert (result.total, result.results, result.hint) == (0, [], EMPTY_HINT)


@pytest.mark.parametrize(
    "query, plain",
    [
        ("a:b", "a b"),  # FTS column syntax is text
        ("NEAR", "near"),  # FTS operators are words
        ("AND", "and"),
        ("OR NOT", "or not"),
        ("oxygen AND", "oxygen and"),
        ('"oxygen', "oxygen"),  # an unbalanced quote
        ("-oxygen", "oxygen"),  # not FTS negation
        ("oxygen " * 2000, "oxygen "),  # 14 kB: the first 500 characters, 16 words
        ("ñandú über", "nandu uber"),  # accents fold as the index folds them
        ("Oxygène", "oxygene"),
    ],
    ids=lambda value: value[:24],
)
def test_fts_syntax_and_odd_text_read_as_the_plain_words(store, query, plain):
    as_typed, as_words = store.search(query, limit=50), store.search(plain, limit=50)
    assert as_typed.total == as_words.total
    assert [h.code for h in as_typed.results] == [h.code for h in as_words.results]


def test_what_odd_text_finds(store):
    assert set(top(store, "oxygen AND", 100)) == set(top(store, "oxygen", 100))  # "and" is a stop word
    assert store.search("AND").hint == NO_MATCH_HINT  # a stop word alone matches nothing
    assert store.search("x" * 10_000).hint == NO_MATCH_HINT  # one 500-letter word
    assert top(store, "code:E0431", 1) == ["E0431"]  # the code word ranks its code first
    prefix = {hit.code for hit in store.search("E04", limit=100).results}
    for typed in ("E04*", "^E04"):  # wildcard and anchor characters are dropped, the code prefix kept
        found = store.search(typed, limit=100).results
        assert {hit.code for hit in found} == prefix and all(code.startswith("E04") for code in prefix)


def test_empty_query_returns_nothing_with_a_hint(store):
    result = store.search("  ")
    assert (result.total, result.results) == (0, [])
    assert "type words" in result.hint


def test_suggest_as_you_type(store):
    assert [s["code"] for s in store.suggest("E04", limit=3)] == ["E0424", "E0425", "E0430"]
    suggestions = store.suggest("oxygen conc", limit=5)
    assert "E1390" in [s["code"] for s in suggestions]
    assert set(suggestions[0]) == {"code", "short_description"}


def test_lexicon_is_data_with_a_source_per_entry():
    text = (files("hcpcs") / "search" / "lexicon.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert len(rows) >= 300
    assert all(row["term"] and row["expansion"] and row["source"] for row in rows)
    assert len(load_lexicon()) == len(rows)


def test_every_lexicon_wording_is_one_cms_descriptions_use(store):
    """An expansion no description holds finds nothing (CMS writes "incobotulinumtoxin a", not
    "incobotulinumtoxina"; "eeg", not "electroencephalogram")."""
    unused = []
    for entries in load_lexicon().by_first_word.values():
        for entry in entries:
            for alternative in entry.alternatives:
                words = " AND ".join(f'"{word}"' for word in fts_words(alternative))
                found = store.connection.execute("SELECT 1 FROM codes_fts WHERE codes_fts MATCH ? LIMIT 1", (words,))
                if found.fetchone() is None:
                    unused.append(f"{' '.join(entry.term)} -> {' '.join(alternative)}")
    assert unused == []


@pytest.mark.parametrize(
    "query, code",
    [
        ("xeomin", "J0588"),  # 'Injection, incobotulinumtoxin a, 1 unit'
        ("electroencephalogram", "G0398"),  # '... minimum of 7 channels: eeg, eog, emg ...'
        ("gel shot", "J7326"),  # 'Hyaluronan or derivative, gel-one ...'
        ("xray", "FX"),  # modifier 'X-ray taken using film'
    ],
)
def test_lexicon_rows_fixed_to_cms_wording(store, query, code):
    assert code in top(store, query, 5)


@pytest.mark.parametrize(
    "filters, message",
    [
        (
            {"category": "DME"},
            "'DME' is not a category; the categories: Transportation services including ambulance | ",
        ),
        ({"betos": "XX"}, "'XX' is not a BETOS code; the BETOS codes: M1A, M1B, "),
        ({"coverage": "Q"}, "'Q' is not a coverage code; the coverage codes: C (Carrier judgment), D (Special "),
    ],
)
def test_unknown_filter_values_are_named_with_the_valid_ones(store, filters, message):
    with pytest.raises(UnknownValueError) as raised:
        store.search("walker", **filters)
    assert str(raised.value).startswith(message)


def test_a_category_may_be_named_by_a_part_of_its_name_that_only_it_holds(store):
    by_part = top(store, "mile", 20, category="ambulance")
    assert by_part and by_part == top(store, "mile", 20, category="Transportation services including ambulance")
    with pytest.raises(UnknownValueError) as raised:
        store.search("walker", category="durable")
    assert str(raised.value) == (
        "'durable' names several categories; say which: "
        "Durable medical equipment | Temporary codes (durable medical equipment MACs)"
    )
    # a whole name that is also part of a longer one is that category
    assert top(store, "injection", 5, category="drugs administered other than oral method")


def test_a_cpt_code_searched_for_is_named_as_one(store):
    found = store.search(" 99213 ")
    assert (found.total, found.hint) == (0, "99213 is a CPT (Level I) code; HCPCS Level II codes start with a letter")
    assert store.search("ZZ999").hint == NO_MATCH_HINT


def test_filter_values_match_regardless_of_case(store):
    exact = top(store, "walker", 20, category="Durable medical equipment", coverage="D")
    assert exact and exact == top(store, "walker", 20, category="durable medical EQUIPMENT", coverage="d")


def test_cli_unknown_category_is_an_error_not_no_results(full_store):
    result = run_cli("--db", str(full_store), "search", "walker", "--category", "DME")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: 'DME' is not a category; the categories: ")
    assert "Durable medical equipment" in result.stderr and len(result.stderr.splitlines()) == 1


def test_cli_json_shape_and_errors(full_store):
    result = run_cli("--db", str(full_store), "search", "o2 tank", "--limit", "3", "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert set(data) >= {"query", "total", "results"}
    assert data["query"] == "o2 tank" and len(data["results"]) == 3
    assert set(data["results"][0]) == {"code", "short_description", "long_description", "status", "score"}
    empty = run_cli("--db", str(full_store), "search", "")
    assert empty.returncode == 0 and "hint:" in empty.stderr
    bad = run_cli("--db", str(full_store), "search", "oxygen", "--on", "2020-02-30")
    assert bad.returncode == 2 and bad.stderr.strip() == "error: --on: '2020-02-30' is not a date (YYYY-MM-DD)"
