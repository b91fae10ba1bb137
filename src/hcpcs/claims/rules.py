"""The claim-line rules' vocabulary and the pieces of them that are plain text work."""

from __future__ import annotations

import re
from datetime import date

from hcpcs.lookup import LEVEL_I_CODE
from hcpcs.lookup import LEVEL_I_MODIFIER as LEVEL_I_MODIFIER_SHAPE

#: Issue codes: the contract of `hcpcs validate`.
ERRORS = (
    "malformed_code",
    "unknown_code",
    "not_yet_effective",
    "terminated",
    "bad_date",
    "unknown_modifier",
    "not_yet_effective_modifier",
    "terminated_modifier",
    "too_many_modifiers",
    "conflicting_codes",
    "ndc_code_mismatch",
)
WARNINGS = (
    "medicare_not_payable",
    "noc_requires_description",
    "level_i_not_checked",
    "unknown_ndc",
    "beyond_latest_release",
)
REQUIRED_COLUMNS = ("claim_id", "line", "code", "modifiers", "date_of_service")
#: Modifiers a claim line may carry: the 837P/837I service line and the CMS-1500 form have four places.
MAX_MODIFIERS = 4
#: Coverage codes Medicare does not pay: not payable, non-covered, non-covered by statute.
NOT_PAYABLE = ("I", "M", "S")
CODE_SHAPE = r"^[A-Z0-9]{5}$"
#: CPT (Level I) codes and modifiers, as lookups know them (hcpcs.lookup).
LEVEL_I_SHAPE = f"^{LEVEL_I_CODE.pattern}$"
LEVEL_I_MODIFIER = f"^{LEVEL_I_MODIFIER_SHAPE.pattern}$"
_NOT_WITH = re.compile(r"do not use (?:this code )?with([^)]*)", re.IGNORECASE)
_CODE_OR_RANGE = re.compile(r"\b([a-z]\d{4})(?:\s*-\s*([a-z]\d{4}))?\b", re.IGNORECASE)


def covers_until(starts: list, newest: str | None = None) -> date:
    """The last date the stored releases cover: the end of the newest release's quarter (the
    store's `newest` label when given, else the latest of the starts). A line dated after it is
    judged by that release, with the warning beyond_latest_release."""
    from hcpcs.history.currency import quarter_end

    if newest is None:
        latest = max(starts)
        newest = f"{latest.year:04d}-{latest.month:02d}"
    return date.fromisoformat(quarter_end(newest))


def forbidden_with(long_description: str | None, codes: list[str]) -> list[str]:
    """The codes a long description says not to use with it ("do not use this code with s9330
    or s9331", "... codes s9365-s9368"), ranges expanded over the release's codes."""
    found: list[str] = []
    for clause in _NOT_WITH.findall(long_description or ""):
        for first, last in _CODE_OR_RANGE.findall(clause):
            first, last = first.upper(), (last or first).upper()
            found.extend(code for code in codes if first <= code <= last and len(code) == 5)
    return sorted(set(found))
