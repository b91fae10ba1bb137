"""Search filters checked against the codebook: an unknown category, BETOS or coverage code is an
error naming the valid ones, not an empty answer."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hcpcs.codebook import MODIFIER_SECTION, Codebook
from hcpcs.errors import UnknownValueError


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a search besides the words."""

    kind: str | None = None
    letter: str | None = None
    category: str | None = None
    coverage: str | None = None
    betos: str | None = None
    include_terminated: bool = False


def categories(codebook: Codebook) -> list[str]:
    """Every section name a search can be narrowed to, in code order, modifiers last."""
    names = sorted(codebook.sections, key=lambda section: (section.first, section.last))
    return list(dict.fromkeys(section.name for section in names)) + [MODIFIER_SECTION]


#: How errors name each filter's values.
_NAMES = {"category": ("category", "categories"), "betos": ("BETOS code", "BETOS codes"),
          "coverage": ("coverage code", "coverage codes")}  # fmt: skip


def _known(filter_name: str, value: str, valid: list[str], shown: list[str]) -> str:
    """The valid value matching `value` regardless of case, else UnknownValueError."""
    found = {item.casefold(): item for item in valid}.get(value.strip().casefold())
    if found is None:
        one, many = _NAMES[filter_name]
        separator = " | " if filter_name == "category" else ", "  # section names hold commas and semicolons
        raise UnknownValueError(f"{value!r} is not a {one}; the {many}: {separator.join(shown)}")
    return found


def _category(value: str, names: list[str]) -> str:
    """The category a value names: its name in any case, else the one category whose name holds
    the value ("dental" -> Dental procedures); UnknownValueError when none does, or several."""
    wanted = value.strip().casefold()
    holding = [name for name in names if wanted and wanted in name.casefold()]
    if len(holding) > 1 and wanted not in (name.casefold() for name in holding):
        raise UnknownValueError(f"{value!r} names several categories; say which: {' | '.join(holding)}")
    return holding[0] if len(holding) == 1 else _known("category", value, names, names)


def checked(filters: Filters, codebook: Codebook) -> Filters:
    """The filters with each value as the codebook spells it; UnknownValueError for one it lacks."""
    changes = {}
    if filters.category:
        changes["category"] = _category(filters.category, categories(codebook))
    for name in ("betos", "coverage"):
        value = getattr(filters, name)
        if value:
            table = codebook.values(name)
            shown = list(table) if name == "betos" else [f"{key} ({meaning})" for key, meaning in table.items()]
            changes[name] = _known(name, value, list(table), shown)
    return replace(filters, **changes) if changes else filters
