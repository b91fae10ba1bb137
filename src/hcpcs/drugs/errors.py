"""Named errors of the drug answers: what a user typed wrong (400) and what the store lacks (404)."""

from __future__ import annotations

from hcpcs.errors import HcpcsError


class MalformedNdcError(HcpcsError):
    """Text that is not an NDC in any form people type."""


class DrugNotFoundError(HcpcsError):
    """The store holds no answer: an unknown NDC, a code without a payment limit, a quarter not stored."""


class UnknownNdcError(DrugNotFoundError):
    """An NDC the quarter's crosswalk does not list."""


class NoPaymentLimitError(DrugNotFoundError):
    """A code without a row in the quarter's payment limit file."""


class NoQuarterError(DrugNotFoundError):
    """No stored drug quarter answers the date or label asked for."""
