"""Release labels from CMS's file and folder names, and from the data."""

from __future__ import annotations

import pytest

from hcpcs.ingest.labels import label_from_dates, label_from_names


@pytest.mark.parametrize(
    "names, label",
    [
        (["HCPC17_CONTR_ANWEB"], "2017-01"),
        (["HCPC2019_CONTR_ANWEB", "2019-Alpha-Numeric-HCPCS-File"], "2019-01"),
        (["HCPC2020_ANWEB_w_disclaimer"], "2020-01"),
        (["HCPC2026_JAN_ANWEB_01122026", "January-2026-Alpha-Numeric-HCPCS-File"], "2026-01"),
        (["HCPC2021_OCT_ANWEB_v3"], "2021-10"),
        (["HCPC2020_ANWEB", "April-2020-Alpha-Numeric-HCPCS-File"], "2020-04"),
        (["anweb", "2020-04", "cms"], "2020-04"),
        (["anweb", "data"], None),
    ],
)
def test_label_from_names(names, label):
    assert label_from_names(names) == label


def test_label_from_dates():
    assert label_from_dates(["2019-01-01", None, "2020-04-01", "2002-07-01"]) == "2020-04"
    assert label_from_dates([None]) is None
