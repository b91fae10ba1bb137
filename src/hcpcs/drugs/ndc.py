"""National Drug Codes as people type them, to the 11-digit 5-4-2 form CMS's crosswalk uses.

An NDC is 10 digits in three parts (labeler-product-package) of 4-4-2, 5-3-2 or 5-4-1; billing
uses 11 digits, 5-4-2, with a zero padded in front of the short part. Without dashes a 10-digit
NDC is ambiguous (which part is short?), so it must keep its dashes.
"""

from __future__ import annotations

import re

from hcpcs.drugs.errors import MalformedNdcError

_ELEVEN = re.compile(r"\d{5}-\d{4}-\d{2}")
_DASHED = re.compile(r"(\d{4,5})-(\d{3,4})-(\d{1,2})")
_PLAIN = re.compile(r"\d{11}")
#: The dashed forms an NDC is written in: part widths, 11-digit 5-4-2 first.
FORMS = ((5, 4, 2), (4, 4, 2), (5, 3, 2), (5, 4, 1))


def parse_ndc(text: str) -> str | None:
    """The 11-digit 5-4-2 form with dashes, or None when the text is no NDC form."""
    value = text.strip()
    if _ELEVEN.fullmatch(value):
        return value
    if _PLAIN.fullmatch(value):
        return f"{value[:5]}-{value[5:9]}-{value[9:]}"
    match = _DASHED.fullmatch(value)
    if not match or tuple(len(part) for part in match.groups()) not in FORMS:
        return None
    labeler, product, package = match.groups()
    return f"{labeler.zfill(5)}-{product.zfill(4)}-{package.zfill(2)}"


def normalize_ndc(text: str) -> str:
    """The 11-digit 5-4-2 form with dashes; MalformedNdcError (naming the forms accepted) otherwise."""
    ndc = parse_ndc(text)
    if ndc is None:
        raise MalformedNdcError(
            f"{text.strip()!r} is not an NDC: give 11 digits (00143-9857-25 or 00143985725) "
            "or a 10-digit NDC with its dashes (4-4-2, 5-3-2 or 5-4-1)"
        )
    return ndc
