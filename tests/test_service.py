"""A running server follows its store: loads, replaces and loads killed with kill -9 while clients read.

Every answer is compared with what a fresh server on a store in the old or the new state
answers (an in-process app on a reference copy), so "right" is never written into the test.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from hcpcs.store import Store
from servers import running_server

from conftest import QUARTERS, ZIP_2019, ZIP_2020

#: The kill test's seed: fixed so a failure can be replayed (HCPCS_KILL_SEED picks another).
SEED = int(os.environ.get("HCPCS_KILL_SEED", "20261129"))
KILLS = 24
#: What a load does to release 2020-04, by state: 0 = absent, 1 = its own files, 2 = 2020-07's files under its label.
OPERATIONS = {
    0: (["load", str(QUARTERS["2020-04"])], 1),
    1: (["load", str(QUARTERS["2020-07"]), "--release", "2020-04", "--replace"], 2),
    2: (["load", str(QUARTERS["2020-04"]), "--replace"], 1),
}


def _probes(full_store: Path) -> dict[str, str]:
    """Requests whose answers differ between the states: lists, default release, cached pages, searches."""
    with Store(full_store) as store:
        added = sorted(set(store.codes("2020-07")) - set(store.codes("2020-04")))[0]
        changed = sorted(store.diff("2020-04", "2020-07").to_dict()["changed"])[0]
    return {
        "releases": "/api/v1/releases",
        "default page": "/api/v1/codes/E1390",
        "added code": f"/api/v1/codes/{added}?release=2020-04",
        "changed code": f"/api/v1/codes/{changed}?release=2020-04",
        "history": f"/api/v1/codes/{changed}/history",
        "search": "/api/v1/search?q=oxygen&release=2020-04&limit=5",
        "suggest": "/api/v1/suggest?q=wheelch",
        "fhir expand": "/fhir/ValueSet/$expand?filter=oxygen&count=5&systemVersion=2020-04",
        "fhir lookup": f"/fhir/CodeSystem/$lookup?code={added}&version=2020-04",
        "nlm": "/api/hcpcs/v3/search?terms=oxygen&df=code,display,term_dt",
    }


def _answer(name: str, response: httpx.Response) -> tuple[int, object]:
    """The part of an answer that the store's state decides (load times left out)."""
    body = response.json()
    if name == "releases":
        body = [(r["release"], sorted(s["sha256"] for s in r["sources"])) for r in body]
    elif name == "fhir expand" and response.status_code == 200:
        body["expansion"].pop("timestamp")
    return response.status_code, repr(body)


@pytest.fixture(scope="module")
def states(tmp_path_factory, full_store):
    """Store files in states 0, 1 and 2, and every probe's answer in each from a fresh app."""
    from fastapi.testclient import TestClient

    from hcpcs.web.app import create_app

    folder = tmp_path_factory.mktemp("states")
    paths = {0: folder / "0.sqlite"}
    with Store(paths[0], write=True) as store:
        store.load([ZIP_2019])
        store.load([ZIP_2020])
    for state, (previous, (arguments, _)) in ((1, (0, OPERATIONS[0])), (2, (1, OPERATIONS[1]))):
        paths[state] = folder / f"{state}.sqlite"
        shutil.copy(paths[previous], paths[state])
        with Store(paths[state], write=True) as store:
            release = arguments[arguments.index("--release") + 1] if "--release" in arguments else None
            store.load([arguments[1]], release=release, replace="--replace" in arguments)
    probes = _probes(full_store)
    answers = {}
    for state, path in paths.items():
        with TestClient(create_app(path)) as client:
            answers[state] = {name: _answer(name, client.get(url)) for name, url in probes.items()}
    assert len({repr(a) for a in answers.values()}) == 3, "the probes must tell the states apart"
    return paths, probes, answers


def _state_of(path: Path, answers_paths: dict[int, Path]) -> int:
    """Which state a store file is in, by release 2020-04's source files."""

    def fingerprint(store_path: Path) -> list:
        with Store(store_path) as store:
            return [(r.release, sorted(s.sha256 for s in r.sources)) for r in store.releases()]

    found = fingerprint(path)
    matches = [state for state, reference in answers_paths.items() if fingerprint(reference) == found]
    assert len(matches) == 1, found
    return matches[0]


def _hcpcs(store: Path, arguments: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hcpcs", "--db", str(store), *arguments],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_a_load_is_visible_to_the_next_request_wholly(states, tmp_path):
    paths, probes, answers = states
    store = tmp_path / "served.sqlite"
    shutil.copy(paths[0], store)
    with running_server(store, workers=2) as url, httpx.Client(base_url=url, timeout=60) as client:
        state = 0
        for _ in range(3):  # 0 -> 1 -> 2 -> 1: a load, a replace, a replace back
            for _round in range(6):  # several rounds, so both workers answer
                for name, path in probes.items():
                    assert _answer(name, client.get(path)) == answers[state][name], (state, name)
            arguments, state = OPERATIONS[state]
            loaded = _hcpcs(store, arguments)
            assert loaded.wait(timeout=300) == 0, loaded.stderr.read()
        for name, path in probes.items():
            assert _answer(name, client.get(path)) == answers[state][name], (state, name)


class Readers:
    """Client threads asking every probe in turn until stopped; each answer kept with when it was asked."""

    def __init__(self, url: str, probes: dict[str, str], threads: int = 4) -> None:
        self.url, self.probes, self.stop = url, probes, threading.Event()
        self.log: list[tuple[float, float, str, object]] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            while not self.stop.is_set():
                for name, path in self.probes.items():
                    started = time.monotonic()
                    try:
                        answer: object = _answer(name, client.get(path))
                    except (httpx.HTTPError, ValueError) as error:
                        answer = f"error: {error!r}"
                    with self.lock:
                        self.log.append((started, time.monotonic(), name, answer))

    def __enter__(self) -> Readers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)


def _writing(store: Path, since: float) -> bool:
    """Whether a load's writes have begun: the WAL written since, or (rollback mode) a journal there."""
    if store.with_name(store.name + "-journal").exists():
        return True
    try:
        return store.with_name(store.name + "-wal").stat().st_mtime > since
    except FileNotFoundError:
        return False


def _run_killed(store: Path, arguments: list[str], rng: random.Random) -> tuple[str, float, float]:
    """Run one load; kill -9 it early, mid-write (once its writes reach the WAL), or not at all."""
    mode = rng.choice(["early", "writing", "writing", "none"])
    started = time.monotonic()
    wall = time.time()
    process = _hcpcs(store, arguments)
    if mode == "early":
        time.sleep(rng.uniform(0, 1.5))
    elif mode == "writing":
        while process.poll() is None and not _writing(store, wall - 0.001):
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.4))
    if mode != "none" and process.poll() is None:
        process.send_signal(signal.SIGKILL)
        mode += " (killed)"
    returncode = process.wait(timeout=300)
    assert returncode in (0, -signal.SIGKILL), process.stderr.read()
    ended = time.monotonic()
    time.sleep(0.5)  # the server alone with what the kill left, before any other process opens the store
    return mode, started, ended


def test_loads_killed_at_random_moments_never_hurt_a_server_reading(states, tmp_path):
    paths, probes, answers = states
    store = tmp_path / "served.sqlite"
    shutil.copy(paths[0], store)
    rng = random.Random(SEED)
    timeline: list[tuple[float, float, int, int]] = []  # (start, end, state before, state after)
    modes = []
    with running_server(store, workers=2) as url, Readers(url, probes) as readers:
        time.sleep(1)
        state = 0
        for _ in range(KILLS):
            arguments, _ = OPERATIONS[state]
            mode, started, ended = _run_killed(store, arguments, rng)
            after = _state_of(store, paths)
            assert after in (state, OPERATIONS[state][1]), (mode, state, after)
            timeline.append((started, ended, state, after))
            modes.append((mode, after != state))
            state = after
        time.sleep(1)
    wrong = [entry for entry in readers.log if entry[3] not in _allowed(entry, timeline, answers)]
    summary = (
        f"seed {SEED}: {len(readers.log)} answers during {KILLS} loads; "
        f"{sum('killed' in m for m, _ in modes)} killed, {sum(c for _, c in modes)} committed"
    )
    print(summary)
    assert not wrong, f"{summary}; {len(wrong)} wrong, first: {wrong[:3]}"
    assert len(readers.log) > 200, summary
    # The dangerous window was hit: killed after writing began, and rolled back.
    assert sum(1 for m, committed in modes if m.startswith("writing") and "killed" in m and not committed) >= 2, modes


def _allowed(entry, timeline, answers) -> list[object]:
    """The answers of every state the store was or may have been in while the request was open."""
    started, ended, name, _ = entry
    possible = {timeline[0][2]}
    for op_start, op_end, before, after in timeline:
        if op_end < started:
            possible = {after}  # committed or rolled back before the request began
        elif op_start <= ended:
            possible |= {before, after}
    return [answers[state][name] for state in possible]
