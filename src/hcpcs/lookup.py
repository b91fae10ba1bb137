"""Look a code up as a user types it: any case, spaces around it; say what is wrong otherwise."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from hcpcs.errors import LevelOneCodeError, MalformedCodeError, UnknownCodeError

if TYPE_CHECKING:
    from hcpcs.page import Code
    from hcpcs.store import Store

_SHAPE = re.compile(r"[A-Z0-9]{5}|[A-Z0-9]{2}")
#: CPT (Level I) shapes: every Level II code and modifier starts with a letter, every CPT one
#: with a digit (99213; 0001F, 0001T, 0001U, 0001A, 0001M; modifiers 25, 59, 1P). The claim
#: rules use the same definitions.
LEVEL_I_CODE = re.compile(r"\d{4}[0-9A-Z]")
LEVEL_I_MODIFIER = re.compile(r"\d[0-9A-Z]")
SUGGESTIONS = 5


def normalize_code(text: str) -> str:
    """Upper-case and trim; raise MalformedCodeError for anything not shaped like a code."""
    code = text.strip().upper()
    if not _SHAPE.fullmatch(code):
        raise MalformedCodeError(
            f"{text.strip()!r} is not a HCPCS code: a code is 5 letters and digits (S9329), a modifier 2 (LT)"
        )
    return code


def is_level_i(code: str) -> bool:
    """Whether an upper-case code or modifier has a CPT (Level I) shape."""
    return bool(LEVEL_I_CODE.fullmatch(code) or LEVEL_I_MODIFIER.fullmatch(code))


def unknown_code(store: Store, code: str, release: str | None) -> UnknownCodeError:
    """The error for a code the release (None: every stored release) lacks: a CPT code is named
    as such; anything else comes with the closest real codes."""
    if is_level_i(code):
        return LevelOneCodeError(code, release)
    return UnknownCodeError(code, release, closest_codes(store, code, release or store.latest_release()))


def closest_codes(store: Store, code: str, release: str, limit: int = SUGGESTIONS) -> list[str]:
    """The release's codes nearest to a code that is not in it."""
    candidates = [c for c in store.codes(release) if len(c) == len(code)]
    same_start = [c for c in candidates if c[:3] == code[:3]]
    close = difflib.get_close_matches(code, candidates, n=limit, cutoff=0.6)
    ordered = sorted(same_start, key=lambda c: abs(_number(c) - _number(code)))[:limit]
    return list(dict.fromkeys(close + ordered))[:limit]


def _number(code: str) -> int:
    digits = "".join(ch for ch in code if ch.isdigit())
    return int(digits) if digits else 0


def lookup(
    store: Store, text: str, release: str | None = None, on: str | None = None, as_known_now: bool = False
) -> Code:
    """The code's page, or MalformedCodeError / UnknownCodeError (with the closest real codes)."""
    code = normalize_code(text)
    if release is None and (on is not None or as_known_now):
        found = store.get(code, on=on, as_known_now=as_known_now)
        label = store.release_on(on) if on else store.latest_release()
    else:
        label = store.resolve_release(release)
        found = store.get(code, release, on=on)  # no release named: the latest, saying how current it is
    if found is None:
        raise unknown_code(store, code, label)
    return found
