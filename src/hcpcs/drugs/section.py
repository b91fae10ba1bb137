"""The drug part of a code page: billing unit, the payment limit of the quarter in effect, the
history of payment limits across stored quarters (with a small chart's geometry), and the NDC
packages the quarter's crosswalk lists for the code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hcpcs.drugs.answers import choose_quarter, number, price_of
from hcpcs.drugs.errors import NoQuarterError
from hcpcs.drugs.kinds import CROSSWALK, PAYMENT_LIMITS
from hcpcs.drugs.storage import DrugTables

#: The chart's drawing area (SVG user units), the margins for axis labels, the padding elsewhere.
CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM, CHART_PAD = 360, 180, 60, 28, 16
PACKAGE_KEYS = ("ndc", "product_id", "labeler", "drug_name", "package_size", "package_quantity",
                "billing_units_per_item", "billing_units_per_package")  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    quarter: str
    payment_limit: float


@dataclass(frozen=True, slots=True)
class Chart:
    """A line of payment limit by quarter, laid out in a CHART_WIDTH x CHART_HEIGHT box; quarters
    sit by calendar time, so a quarter not stored shows as a longer step."""

    width: int
    height: int
    points: list[ChartPoint]
    y_labels: list[tuple[float, str]]  # (y, dollars)
    x_labels: list[tuple[float, str, str]]  # (x, year, SVG text-anchor): each January in the range
    left: int
    bottom: float

    @property
    def polyline(self) -> str:
        """The points as an SVG polyline's `points` attribute."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _months(quarter: str) -> int:
    return int(quarter[:4]) * 12 + int(quarter[5:7])


def chart(history: list[dict[str, Any]]) -> Chart | None:
    """The chart of the quarters that have a payment limit; None if none has."""
    priced = [h for h in history if h["payment_limit"] is not None]
    if not priced:
        return None
    low, high = min(h["payment_limit"] for h in priced), max(h["payment_limit"] for h in priced)
    spread = (high - low) or max(high, 1.0) * 0.1
    low, high = max(low - spread * 0.1, 0.0), high + spread * 0.1
    first, last = _months(priced[0]["quarter"]), _months(priced[-1]["quarter"])
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_PAD
    plot_bottom = CHART_HEIGHT - CHART_BOTTOM

    def x(quarter: str) -> float:
        return CHART_LEFT + (
            plot_width * (_months(quarter) - first) / (last - first) if last > first else plot_width / 2
        )

    def y(value: float) -> float:
        return plot_bottom - (plot_bottom - CHART_PAD) * (value - low) / (high - low)

    points = [ChartPoint(x(h["quarter"]), y(h["payment_limit"]), h["quarter"], h["payment_limit"]) for h in priced]
    ends = [low, (low + high) / 2, high]
    start, end = priced[0]["quarter"], priced[-1]["quarter"]
    years = range(int(start[:4]) + (start[5:] != "01"), int(end[:4]) + 1)  # the Januaries from first to last
    x_labels = [(x(f"{year}-01"), str(year), "middle") for year in years] or [
        (points[0].x, priced[0]["quarter"], "middle")
    ]
    x_labels = [(at, text, "start" if at < CHART_LEFT + 20 else "end" if at > CHART_WIDTH - CHART_PAD - 20 else anchor)
                for at, text, anchor in x_labels]  # fmt: skip
    return Chart(CHART_WIDTH, CHART_HEIGHT, points, [(y(v), f"${v:,.3f}") for v in ends], x_labels, CHART_LEFT,
                 plot_bottom)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DrugSection:
    """A drug code's billing facts: in the quarter in effect, and across every stored quarter."""

    code: str
    quarter: str | None  # the quarter in effect (None: no stored quarter covers the date)
    covers_from: str | None
    covers_until: str | None
    message: str | None  # when the date is past the stored drug data, or no quarter covers it
    billing_unit: str | None
    payment_limit: dict[str, Any] | None  # the quarter's row, as `hcpcs price` gives it
    history: list[dict[str, Any]] = field(default_factory=list)  # {"quarter", "billing_unit", "payment_limit"}
    packages: list[dict[str, Any]] = field(default_factory=list)  # the quarter's NDC packages

    def to_dict(self) -> dict[str, Any]:
        """The page's "drug" key."""
        return {name: getattr(self, name) for name in self.__slots__}

    def chart(self) -> Chart | None:
        """The payment-limit chart's geometry."""
        return chart(self.history)


def drug_section(tables: DrugTables, code: str, on: str | None = None) -> DrugSection | None:
    """The code's drug section as of a date (default: the newest quarter), or None when no stored
    drug file has the code."""
    quarters = tables.quarters()
    if not quarters:
        return None
    history = [{"quarter": q, "billing_unit": unit, "payment_limit": limit}
               for q, unit, limit in tables.payment_history(code)]  # fmt: skip
    if not history and not tables.quarters_with(CROSSWALK, "code", code):
        return None
    try:
        choice = choose_quarter(quarters, on)
    except NoQuarterError as error:
        return DrugSection(code, None, None, None, str(error), history[-1]["billing_unit"] if history else None,
                           None, history)  # fmt: skip
    stored = next(q for q in quarters if q.quarter == choice.quarter).files
    row = tables.payment_limit(code, choice.quarter) if PAYMENT_LIMITS in stored else None
    packages = tables.crosswalk_of_code(code, choice.quarter) if CROSSWALK in stored else []
    unit = (row or {}).get("dosage") or next((p["hcpcs_dosage"] for p in packages if p["hcpcs_dosage"]), None)
    return DrugSection(
        code, choice.quarter, choice.covers_from, choice.covers_until, choice.message,
        unit or (history[-1]["billing_unit"] if history else None), price_of(row, choice).to_dict() if row else None,
        history,
        [{key: number(p[key]) if key.startswith(("package_", "billing_")) else p[key] for key in PACKAGE_KEYS}
         for p in packages],
    )  # fmt: skip
