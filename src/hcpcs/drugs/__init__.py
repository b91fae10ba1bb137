"""Medicare Part B drug billing: CMS's quarterly ASP payment limit files and NDC-HCPCS crosswalks.

Reading (`files`, `read`), storing (`storage`), answers (`answers`), the code page's drug section
(`section`), claim-line rules (`claims`) and the bundled quarters (`bundled`). Nothing here imports
`hcpcs.store`: the store composes these pieces, not the other way round.
"""

from __future__ import annotations

from hcpcs.drugs.kinds import CROSSWALK, PAYMENT_LIMITS, drug_file_kind

__all__ = ["CROSSWALK", "PAYMENT_LIMITS", "drug_file_kind"]
