"""The claim-line rules on polars, streaming: memory stays flat however many lines come in.

A first pass over the input keeps only what needs the whole file: the few lines whose codes
take part in a "do not use with" pair, and the most modifiers on a line. The second pass joins
each line to the record that judges it (per code and release in effect, prepared beforehand)
and writes the result batch by batch, in input order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from string import ascii_uppercase, digits
from typing import TYPE_CHECKING, Any

from hcpcs.claims.codetable import code_frame
from hcpcs.claims.judging import MATCHED, conflict_codes, judged_records, release_starts
from hcpcs.claims.rules import (
    CODE_SHAPE,
    ERRORS,
    LEVEL_I_SHAPE,
    MAX_MODIFIERS,
    NOT_PAYABLE,
    REQUIRED_COLUMNS,
    covers_until,
)
from hcpcs.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    import polars as pl

    from hcpcs.drugs.claims import DrugClaimTables
    from hcpcs.store import Store

ENRICHMENT = (
    "short_description", "long_description", "betos", "betos_description", "coverage", "coverage_description",
    "pricing_indicators", "type_of_service", "category", "release",
)  # fmt: skip
OUTPUT = ("status", "issues", "replacement", *ENRICHMENT)


def check_columns(columns: list[str], source: str) -> None:
    """Every required column is there, and no input column would be overwritten."""
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        need = ", ".join(REQUIRED_COLUMNS)
        raise InputError(source, None, f"missing column(s) {', '.join(missing)} (need {need})")
    from hcpcs.drugs.claims import DRUG_COLUMNS

    clashing = [name for name in columns if name in OUTPUT or name in DRUG_COLUMNS or name.startswith("__")]
    if clashing:
        raise InputError(source, None, f"column(s) {', '.join(clashing)} would be overwritten by the output")


@dataclass(frozen=True)
class Grid:
    """Per code and release in effect, the judging record's columns, laid out so that a line's
    record is row `code number * releases + release number`: a gather instead of a join."""

    codes: list[str]  # sorted; a code's number is its place here
    rows: pl.DataFrame
    releases: int

    @classmethod
    def of(cls, judged: pl.DataFrame, releases: int) -> Grid:
        rows = judged.sort("code", "__in_effect")
        codes = rows.get_column("code").unique(maintain_order=True).to_list()
        assert rows.height == len(codes) * releases, "every code has a record for every release in effect"
        return cls(codes, rows.drop("code", "__in_effect"), releases)

    def numbered(self, lines: pl.LazyFrame, key: str, number: str) -> pl.LazyFrame:
        """The lines with the number of the code in column `key` (null for a code not held).
        A join, not `replace_strict`: polars streams joins, and keeps the lines' order."""
        import polars as pl

        numbers = pl.LazyFrame({key: self.codes, number: range(len(self.codes))}, schema_overrides={number: pl.UInt32})
        return lines.join(numbers, on=key, how="left", maintain_order="left")

    def column(self, name: str, number: pl.Expr) -> pl.Expr:
        """The judging record's column for the code number and the line's release in effect."""
        import polars as pl

        return pl.lit(self.rows.get_column(name)).gather(number * self.releases + pl.col("__in_effect"))


@dataclass(frozen=True)
class Tables:
    """The code table prepared for the lines: small frames, built once per open store."""

    starts: list[Any]  # the releases' effective dates, oldest first
    covers_until: Any  # the last date the newest release covers (the end of its quarter)
    procedures: Grid
    modifiers: Grid
    conflict_codes: list[str]

    @classmethod
    def of(cls, table: pl.DataFrame, codebook, newest: str | None = None) -> Tables:
        """Tables of a code table; `newest`: the store's newest release (the table may hold one only)."""
        import polars as pl

        starts = release_starts(table)
        modifiers = judged_records(table, codebook, "modifier").select(
            "code", "__in_effect", "added_date", "termination_date"
        )
        # Level I (CPT) modifiers start with a digit (25, 59, 1P): known to pass, never out of force.
        level_i = pl.DataFrame({"code": [d + c for d in digits for c in digits + ascii_uppercase]}).join(
            modifiers.select("__in_effect").unique(), how="cross"
        )
        return cls(
            starts=[start for _, start in starts],
            covers_until=covers_until([start for _, start in starts], newest),
            procedures=Grid.of(judged_records(table, codebook, "procedure"), len(starts)),
            modifiers=Grid.of(pl.concat([modifiers, level_i], how="diagonal"), len(starts)),
            conflict_codes=conflict_codes(table),
        )


def keyed(lines: pl.LazyFrame, tables: Tables) -> pl.LazyFrame:
    """The lines with the keys the rules read: code, date of service, claim, and the number of
    the release in effect on the date (the earliest for dates before all). Elementwise only."""
    import polars as pl

    dos = pl.col("__dos")
    later = [dos >= pl.lit(start) for start in tables.starts[1:]]
    in_effect = pl.sum_horizontal(later) if later else pl.lit(0)
    return lines.with_columns(
        _typed_code().alias("__code"),
        pl.col("date_of_service").cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
        .alias("__dos"),
        pl.col("claim_id").cast(pl.String).alias("__claim"),
    ).with_columns(pl.when(dos.is_not_null()).then(in_effect.cast(pl.UInt32)).alias("__in_effect"))  # fmt: skip


#: One modifier of the `modifiers` column: modifiers are separated by spaces, commas or semicolons.
MODIFIER = r"[^,;\s]+"


def _modifier_text() -> pl.Expr:
    import polars as pl

    return pl.col("modifiers").cast(pl.String).fill_null("")


def _modifier_list() -> pl.Expr:
    return _modifier_text().str.to_uppercase().str.extract_all(MODIFIER)


def _typed_code() -> pl.Expr:
    """The code as the rules read it: trimmed, upper case."""
    import polars as pl

    return pl.col("code").cast(pl.String).fill_null("").str.strip_chars().str.to_uppercase()


#: Separates the parts of a conflict key (claim, date, code).
_KEY_SEPARATOR = "\x1f"


def _conflict_key(code: str = "__code") -> pl.Expr:
    import polars as pl

    return pl.concat_str([pl.col("__claim"), pl.col("__dos").cast(pl.String), pl.col(code)], separator=_KEY_SEPARATOR)


@dataclass(frozen=True)
class FirstPass:
    """What the second pass needs from the whole input."""

    conflicts: list[str]  # conflict keys (claim, date, code) of every line in a forbidden pair
    modifier_slots: int  # the most modifiers on one line, up to MAX_MODIFIERS


def first_pass(lines: pl.LazyFrame, tables: Tables) -> FirstPass:
    """Pairs a long description forbids together on one claim and date; the modifier count."""
    import polars as pl

    # Keys (dates above all) are worked out only for the few lines whose code is in a pair.
    candidates, slots = pl.collect_all(
        [
            keyed(lines.filter(_typed_code().is_in(tables.conflict_codes)), tables)
            .select("__claim", "__dos", "__code", "__in_effect")
            .unique(),
            lines.select(
                _modifier_text().str.count_matches(MODIFIER).max().fill_null(0).clip(upper_bound=MAX_MODIFIERS)
            ),
        ],
        engine="streaming",
    )
    candidates = tables.procedures.numbered(candidates.lazy(), "__code", "__number").collect()
    wanted = (
        candidates.with_columns(tables.procedures.column("conflicts", pl.col("__number")).alias("__other"))
        .explode("__other")
        .drop_nulls("__other")
    )
    others = candidates.select("__claim", "__dos", pl.col("__code").alias("__other"))
    pairs = wanted.join(others, on=["__claim", "__dos", "__other"])
    keys = pl.concat([pairs.select(_conflict_key()), pairs.select(_conflict_key("__other"))]).to_series()
    return FirstPass(sorted(set(keys.to_list())), int(slots.item()))


def _modifier_checks(lines: pl.LazyFrame, tables: Tables, slots: int) -> tuple[pl.LazyFrame, dict[str, pl.Expr]]:
    """The lines with their first `slots` modifiers numbered, one column per place, and the
    modifier rules' conditions (only the first MAX_MODIFIERS places are looked up: more is
    itself an error, and memory stays flat however many a line holds)."""
    import polars as pl

    grid, dos = tables.modifiers, pl.col("__dos")
    lines = lines.with_columns(_modifier_list().alias("__modifiers"))
    unknown, early, ended = [], [], []
    for slot in range(min(slots, MAX_MODIFIERS)):
        name, number = f"__modifier{slot}", pl.col(f"__modifier{slot}_number")
        lines = grid.numbered(
            lines.with_columns(pl.col("__modifiers").list.get(slot, null_on_oob=True).alias(name)),
            name,
            number.meta.output_name(),
        )
        unknown.append(pl.col(name).is_not_null() & number.is_null())
        early.append(dos < grid.column("added_date", number))
        ended.append(dos > grid.column("termination_date", number))
    checks = {
        "unknown_modifier": unknown,
        "not_yet_effective_modifier": early,
        "terminated_modifier": ended,
    }
    conditions = {name: pl.any_horizontal(found) if found else pl.lit(False) for name, found in checks.items()}
    conditions["too_many_modifiers"] = pl.col("__modifiers").list.len() > MAX_MODIFIERS
    return lines, conditions


def validate_lazy(
    lines: pl.LazyFrame, tables: Tables, first: FirstPass, drugs: DrugClaimTables | None = None
) -> pl.LazyFrame:
    """Every input row, in input order, with status, issues, replacement and enrichment (and the
    drug rules and columns, hcpcs.drugs.claims, when `drugs` is given)."""
    import polars as pl

    columns = lines.collect_schema().names()
    number = pl.col("__number")
    judged = tables.procedures.numbered(keyed(lines, tables), "__code", "__number").with_columns(
        tables.procedures.column(name, number).alias(name) for name in ("release", *MATCHED) if name != "conflicts"
    )
    judged, modifier_checks = _modifier_checks(judged, tables, first.modifier_slots)
    conflict = _conflict_key().is_in(first.conflicts) if first.conflicts else pl.lit(False)
    level_i = pl.col("__code").str.contains(LEVEL_I_SHAPE)
    malformed = ~pl.col("__code").str.contains(CODE_SHAPE)
    matched = pl.col("release").is_not_null()
    ended = pl.col("__dos") > pl.col("termination_date")
    checks = {
        "malformed_code": malformed,
        "unknown_code": ~malformed & ~level_i & number.is_null(),
        "not_yet_effective": matched & (pl.col("__dos") < pl.col("added_date")),
        "terminated": matched & ended,
        "bad_date": pl.col("__dos").is_null(),
        **modifier_checks,
        "conflicting_codes": conflict,
        "medicare_not_payable": matched & pl.col("coverage").is_in(list(NOT_PAYABLE)),
        "noc_requires_description": matched & pl.col("noc"),
        "level_i_not_checked": level_i,
        "beyond_latest_release": pl.col("__dos") > pl.lit(tables.covers_until),
    }
    drug_output: list[str] = []
    if drugs is not None:
        from hcpcs.drugs.claims import polars_drugs

        judged, drug_checks, drug_output = polars_drugs(judged, drugs, columns)
        checks |= drug_checks
    # Each line's issues as a bit mask; the issue string and the status of every mask are
    # worked out once, and each line picks its own by index.
    names = tuple(sorted(checks))
    mask = pl.sum_horizontal(
        checks[name].fill_null(False).cast(pl.UInt32) * (1 << bit) for bit, name in enumerate(names)
    )
    issues, statuses = _mask_tables(names)
    return judged.with_columns(mask.alias("__mask")).select(
        *columns,
        pl.lit(statuses).gather(pl.col("__mask")).alias("status"),
        pl.lit(issues).gather(pl.col("__mask")).alias("issues"),
        pl.when(ended).then(pl.col("replacement")).otherwise(pl.lit("")).fill_null("").alias("replacement"),
        *ENRICHMENT,
        *drug_output,
    )


@lru_cache(maxsize=4)
def _mask_tables(names: tuple[str, ...]) -> tuple[pl.Series, pl.Series]:
    """The issue string and the status of every combination of the names, by bit mask (built once
    per process: 2**16 combinations take a few tenths of a second)."""
    import polars as pl

    combinations = [[name for bit, name in enumerate(names) if number >> bit & 1] for number in range(1 << len(names))]
    return pl.Series([";".join(found) for found in combinations]), pl.Series([_status(f) for f in combinations])


def _status(issues: list[str]) -> str:
    if any(issue in ERRORS for issue in issues):
        return "error"
    return "warning" if issues else "ok"


def checked_lines(lines: pl.LazyFrame, store: Store, release: str | None = None) -> pl.LazyFrame:
    """The lazy plan of the checked lines (runs the first pass now)."""
    from hcpcs.drugs.claims import DrugClaimTables

    newest = store.latest_release()
    tables = store.remember(
        ("claim tables", release), lambda: Tables.of(code_frame(store, release), store.codebook, newest)
    )
    drugs = store.remember(("claim drug tables",), lambda: DrugClaimTables.of(store.drugs))
    return validate_lazy(lines, tables, first_pass(lines, tables), drugs)


def _polars_problem(source: str, error: Exception) -> InputError:
    return InputError(source, None, f"cannot read the lines ({str(error).splitlines()[0][:120]})")


def validate_file(
    store: Store,
    path,
    out=None,
    file_format: str | None = None,
    out_format: str | None = None,
    release: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Read a claim file, check every line, stream the result out; returns the count per status.
    `progress`, if given, is called with the number of lines of each batch written."""
    import threading
    from pathlib import Path

    import polars as pl

    from hcpcs.claims.files import output_format, read_lines, sink_lines

    path = Path(path)
    output_format(Path(out) if out else None, out_format)  # a bad output is refused before the work
    lines = read_lines(path, file_format)
    check_columns(lines.collect_schema().names(), path.name)
    counts = dict.fromkeys(("ok", "warning", "error"), 0)
    counting = threading.Lock()  # polars may call back from several threads at once

    def tally(batch: pl.DataFrame) -> pl.DataFrame:
        tallied = batch.get_column("status").value_counts().iter_rows()
        with counting:
            for status, count in tallied:
                counts[status] += count
        if progress:
            progress(batch.height)
        return batch

    try:
        checked = checked_lines(lines, store, release).map_batches(tally, streamable=True)
        sink_lines(checked, Path(out) if out else None, out_format)
    except pl.exceptions.PolarsError as error:  # polars reports bad bytes and shapes only when it reads them
        raise _polars_problem(path.name, error) from None
    return counts


def validate_frame(frame: Any, store: Store | None = None, release: str | None = None) -> Any:
    """Validate a polars (or pandas) frame of claim lines; the same kind of frame comes back."""
    import polars as pl

    import hcpcs

    from_pandas = not isinstance(frame, (pl.DataFrame, pl.LazyFrame))
    lines = pl.from_pandas(frame) if from_pandas else frame
    lazy = lines.lazy()
    check_columns(lazy.collect_schema().names(), "frame")
    opened = store or hcpcs.open()
    try:
        result = checked_lines(lazy, opened, release).collect(engine="streaming")
    finally:
        if store is None:
            opened.close()
    return result.to_pandas() if from_pandas else result
