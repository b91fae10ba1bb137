"""Named exceptions: each carries a message a user can act on."""

from __future__ import annotations


class HcpcsError(Exception):
    """Base class of every error hcpcs raises on purpose."""


class InputError(HcpcsError):
    """A source file is unreadable or breaks the CMS layout; names the file and place."""

    def __init__(self, file: str, where: str | int | None, problem: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        place = f"{file}:{where}" if where not in (None, "") else file
        super().__init__(f"{place}: {problem}")


class ReleaseExistsError(HcpcsError):
    """A different file is offered for a release label already stored."""


class UnknownReleaseError(HcpcsError):
    """A release label that the store does not hold."""


class StoreError(HcpcsError):
    """The store file cannot be opened or is not an hcpcs store."""


class MissingDependencyError(HcpcsError):
    """A feature needs an optional extra (`pip install 'hcpcs[spark]'`) or a program that is not installed."""


class UnknownValueError(HcpcsError):
    """A filter value (category, BETOS code, coverage code) the codebook does not know; names the valid ones."""


class MalformedCodeError(HcpcsError):
    """Text that cannot be a HCPCS code (not 5 letters and digits, nor a 2-character modifier)."""


class UnknownCodeError(HcpcsError):
    """A well-formed code that the release (None: any stored release) does not hold; carries
    the closest real codes."""

    def __init__(self, code: str, release: str | None, suggestions: list[str], message: str | None = None) -> None:
        self.code = code
        self.release = release
        self.suggestions = suggestions
        hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
        where = f"a code of release {release}" if release else "in any stored release"
        super().__init__(message or f"{code} is not {where}{hint}")


class LevelOneCodeError(UnknownCodeError):
    """A CPT (Level I) code or modifier, which this HCPCS Level II reference does not hold."""

    def __init__(self, code: str, release: str | None) -> None:
        kind = "modifier" if len(code) == 2 else "code"
        message = f"{code} is a CPT (Level I) {kind}; HCPCS Level II {kind}s start with a letter"
        super().__init__(code, release, [], message)


class ReleasesRefusedError(HcpcsError):
    """Some releases of a load were refused (the others were stored); carries every outcome."""

    def __init__(self, results: list, refused: list) -> None:
        self.results = results
        self.refused = refused
        lines = [f"{r.release or 'a release'} refused: {r.error}" for r in refused]
        super().__init__("; ".join(lines))
