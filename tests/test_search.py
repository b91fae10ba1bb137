"""Search on the bundled releases: words, lexicon, typos, codes, filters, and any input at all."""

from __future__ import annotations

import csv
import json
from importlib.resources import files

import pytest

from hcpcs.search.lexicon import load_lexicon
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


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "-",
        "()",
        "a:b",
        "NEAR",
        "AND",
        "OR NOT",
        "oxygen AND",
        '"oxygen',
        "ñandú über",
        "x" * 10_000,
        "oxygen " * 2000,
        "🙂",
        "\x00",
        "   ",
        "-oxygen",
        "code:E0431",
        "^E04",
        "E04*",
    ],
)
def test_any_text_is_just_text(store, query):
    result = store.search(query)
    assert result.total >= 0
    assert isinstance(result.results, list)


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
