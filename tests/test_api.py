"""The Python API: one call for each thing the CLI does."""

from __future__ import annotations

import pytest

import hcpcs

from conftest import BUNDLED_LABELS, ZIP_2020


def test_open_a_given_store(full_store):
    with hcpcs.open(full_store) as store:
        record = store.get("S9329")
        assert isinstance(record, hcpcs.CodeRecord)
        assert record.release == "2026-07"
        assert record.processing_note == "0088"
        assert store.get("ZZZZZ") is None
        assert [r.release for r in store.releases()][-1] == "2026-07"


def test_open_default_store_builds_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("HCPCS_DB", raising=False)
    with hcpcs.open() as store:
        assert store.path == tmp_path / "hcpcs" / "hcpcs.sqlite"
        assert store.release_labels() == BUNDLED_LABELS


def test_load_from_python(tmp_path):
    with hcpcs.Store(tmp_path / "s.sqlite", write=True) as store:
        (result,) = store.load([ZIP_2020])
        assert (result.release, result.procedures, result.modifiers, result.status) == (
            "2020-01",
            6710,
            369,
            "loaded",
        )
    with pytest.raises(hcpcs.InputError) as error:
        hcpcs.Store(tmp_path / "s.sqlite", write=True).load([tmp_path / "none.txt"])
    assert error.value.file.endswith("none.txt")
