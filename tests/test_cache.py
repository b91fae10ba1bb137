"""The claim code table is cached in $HCPCS_CACHE, one table per store, rebuilt when the store changes."""

from __future__ import annotations

import shutil

from conftest import QUARTERS, ZIP_2020, run_cli


def test_the_code_table_cache_follows_hcpcs_cache_and_the_store(tmp_path):
    store = tmp_path / "s.sqlite"
    cache = tmp_path / "cache"
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,line,code,modifiers,date_of_service\n1,1,E1390,,2020-02-03\n")
    assert run_cli("--db", str(store), "load", str(ZIP_2020)).returncode == 0
    env = {"HCPCS_CACHE": str(cache)}

    first = run_cli("--db", str(store), "validate", str(claims), "--format", "jsonl", env=env)

    assert first.returncode == 0, first.stderr
    tables = sorted(cache.glob("codetable-*.parquet"))
    assert len(tables) == 1
    again = run_cli("--db", str(store), "validate", str(claims), "--format", "jsonl", env=env)
    assert again.stdout == first.stdout
    assert sorted(cache.glob("codetable-*.parquet")) == tables  # read, not rebuilt

    assert run_cli("--db", str(store), "load", str(QUARTERS["2020-04"])).returncode == 0
    after_load = run_cli("--db", str(store), "validate", str(claims), "--format", "jsonl", env=env)

    assert after_load.returncode == 0, after_load.stderr
    now = sorted(cache.glob("codetable-*.parquet"))
    assert len(now) == 1 and now != tables  # the store's old table is gone, its new one kept
    other = tmp_path / "other.sqlite"
    shutil.copy(store, other)
    assert run_cli("--db", str(other), "validate", str(claims), "--format", "jsonl", env=env).returncode == 0
    assert len(list(cache.glob("codetable-*.parquet"))) == 2  # one per store
