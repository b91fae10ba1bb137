"""The CMS HCPCS contractor record layout (HCPCS_CNTRCTR_YY_REC), 2017 to 2026.

Source: the record layout in CMS's 2019-HCPCS-Record-Layout.zip
(HCPCS2019_recordlayout.txt); the 2026 layout keeps the same 31 fields at the
same positions. Positions below are 1-based as the layout prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one canonical field sits in the text file and the workbook."""

    name: str
    start: int  # 1-based first column of the first occurrence
    width: int
    occurs: int = 1  # repeated fields sit back to back
    columns: tuple[str, ...] = ()  # workbook header names, one per occurrence

    def text_ranges(self) -> list[tuple[int, int]]:
        """0-based [begin, end) slices of every occurrence in a text line."""
        first = self.start - 1
        return [(first + i * self.width, first + (i + 1) * self.width) for i in range(self.occurs)]


def _numbered(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


RECORD_LENGTH = 320
CODE = Slot("code", 1, 5, columns=("HCPC",))
SEQUENCE = Slot("sequence", 6, 5, columns=("SEQNUM",))
RECORD_ID = Slot("record_id", 11, 1, columns=("RECID",))
LONG_DESCRIPTION = Slot("long_description", 12, 80, columns=("LONG DESCRIPTION",))

#: Record ids: first line and continuation line of procedures and of modifiers.
PROCEDURE_FIRST, PROCEDURE_CONTINUATION = "3", "4"
MODIFIER_FIRST, MODIFIER_CONTINUATION = "7", "8"
FIRST_LINE_KIND = {PROCEDURE_FIRST: "procedure", MODIFIER_FIRST: "modifier"}
CONTINUATION_KIND = {PROCEDURE_CONTINUATION: "procedure", MODIFIER_CONTINUATION: "modifier"}

#: The detail fields a first line carries after the long description.
DETAIL_SLOTS: tuple[Slot, ...] = (
    Slot("short_description", 92, 28, columns=("SHORT DESCRIPTION",)),
    Slot("pricing_indicators", 120, 2, 4, _numbered("PRICE", 4)),
    Slot("multiple_pricing_indicator", 128, 1, columns=("MULT_PI",)),
    Slot("cim_references", 129, 6, 3, _numbered("CIM", 3)),
    Slot("mcm_references", 147, 8, 3, _numbered("MCM", 3)),
    Slot("statute", 171, 10, columns=("STATUTE",)),
    Slot("lab_certifications", 181, 3, 8, _numbered("LABCERT", 8)),
    Slot("cross_references", 205, 5, 5, _numbered("XREF", 5)),
    Slot("coverage", 230, 1, columns=("COV",)),
    Slot("asc_group", 231, 2, columns=("ASC_GRP",)),
    Slot("asc_effective_date", 233, 8, columns=("ASC_DT",)),
    Slot("mog_payment_group", 241, 3, columns=("OPPS",)),
    Slot("mog_payment_policy_indicator", 244, 1, columns=("OPPS_PI",)),
    Slot("mog_effective_date", 245, 8, columns=("OPPS_DT",)),
    Slot("processing_note", 253, 4, columns=("PROCNOTE",)),
    Slot("betos", 257, 3, columns=("BETOS",)),
    Slot("type_of_service", 261, 1, 5, _numbered("TOS", 5)),
    Slot("anesthesia_base_units", 266, 3, columns=("ANEST_BU",)),
    Slot("added_date", 269, 8, columns=("ADD DT",)),
    Slot("action_effective_date", 277, 8, columns=("ACT EFF DT",)),
    Slot("termination_date", 285, 8, columns=("TERM DT",)),
    Slot("action_code", 293, 1, columns=("ACTION CD",)),
)

#: Other spellings of workbook headers seen in CMS files (MOG is also called OPPS).
HEADER_ALIASES = {
    "MOG": "OPPS",
    "MOG_PI": "OPPS_PI",
    "MOG_DT": "OPPS_DT",
    "HCPCS": "HCPC",
    "ACTION_CD": "ACTION CD",
    "ADD_DT": "ADD DT",
    "ACT_EFF_DT": "ACT EFF DT",
    "TERM_DT": "TERM DT",
    "LONG_DESCRIPTION": "LONG DESCRIPTION",
    "SHORT_DESCRIPTION": "SHORT DESCRIPTION",
    "HCPCS CODE": "HCPC",
    "LONG DESC": "LONG DESCRIPTION",
    "SHORT DESC": "SHORT DESCRIPTION",
    "ACTION CODE": "ACTION CD",
    "ADD DATE": "ADD DT",
    "TERM DATE": "TERM DT",
    "ACTION EFFECTIVE DATE": "ACT EFF DT",
}


#: Where each field of ours starts and how wide it is, as a layout file prints it (begin, length).
_EXPECTED = {
    slot.name: (slot.start, slot.width) for slot in (CODE, SEQUENCE, RECORD_ID, LONG_DESCRIPTION, *DETAIL_SLOTS)
}
_POSITION = re.compile(r"^\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:CHAR|NUM)\b")


def check_layout(text: str, file: str) -> list[str]:
    """Where a record layout file (HCPC20YY_recordlayout.txt) places a field elsewhere than this
    reader does, one line each; empty when the file agrees (as every layout from 2017 to 2026 does)."""
    printed = set()
    for line in text.splitlines():
        match = _POSITION.match(line)
        if match:
            length, begin, end = (int(g) for g in match.groups())
            printed.add((begin, length))
    if not printed:
        return [f"{file}: no field positions found; the records were read with the 2017-2026 layout"]
    return [
        f"{file}: the layout has no {width}-character field at column {start} where hcpcs reads {name}"
        for name, (start, width) in _EXPECTED.items()
        if (start, width) not in printed
    ]
