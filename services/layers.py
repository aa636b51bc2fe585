"""The layer-kind registry: one declaration per derived layer kind.

A :class:`LayerKind` holds everything the service needs to know about a kind: its
method name, model, parameters dataclass, job function, what the public and an
analyst may see of it, and how the map draws it. Every consumer iterates
:data:`REGISTRY`: job dispatch and ``bco analyse <method>``, the OGC collections
(``<kind>`` for the latest run, ``<kind>-runs`` for every run), the REST layer
endpoints, the admin, the public projections (``services/projections.py``) and the map
manifest. Adding a kind takes its entry here, its job function, its model (with the
generated migration) and its own tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from geo_bco.models import (AreaCount, ClusterPolygon, EmergingCell, ForecastCell, HotSpotCell, KdeContour,
                            NearRepeatLabel)
from spatial_analysis.emerging import CATEGORIES

from .jobs import area_counts, clusters, emerging, forecast, hotspots, kde, near_repeat
from .jobs.selection import POINT_PRECISIONS


@dataclass(frozen=True)
class LegendClass:
    value: Any  #: property value (categorical) or lower bound (graduated)
    label: str
    color: str
    count: int = 0  #: features of this class in the layer


@dataclass(frozen=True)
class Legend:
    property: str  #: the feature property the classes are read from
    kind: str  #: "categorical" (match on value) or "graduated" (value >= lower bound)
    classes: tuple[LegendClass, ...]
    note: str = ""


#: rows of one run as a list of property dicts -> the legend of that run
LegendFunction = Callable[[list[dict]], Legend]


@dataclass(frozen=True)
class LayerKind:
    name: str  #: method name and OGC collection id, e.g. "kde"
    title: str
    description: str  #: what the layer shows, for a QGIS user or a commander
    model: type
    params: type  #: frozen dataclass of parameters (see services/params.py)
    job: Callable  #: job(run, params, incident_filter) -> JobResult
    public_columns: Sequence[str] | None  #: columns the public may see; None = analysts only
    legend: LegendFunction
    map_type: str  #: MapLibre layer type: "fill" or "circle"
    default_precisions: tuple[str, ...] = POINT_PRECISIONS
    time_field: str = "run_finished_at"  #: OGC datetime filter column
    #: columns blanked in the public projection where a count is under the public minimum
    small_count_columns: Sequence[str] = ()
    #: the column counting the incidents a row outlines: the public projection leaves out rows
    #: under the public minimum (a polygon around two incidents points at them, count or no count)
    outlined_count_column: str | None = None
    #: the geometry is drawn through incidents' own locations (a hull's vertices are incidents):
    #: the public sees it widened to the public grid (services/projections.py), never those points
    outline_through_incidents: bool = False
    #: dates of incidents (a first or last day): the public sees them to ``BCO_PUBLIC_PERIOD``
    incident_date_columns: Sequence[str] = ()
    #: shares of a count (share column -> the column it is a share of, or "run_input_count" for
    #: the run's input): a share times its total is a count, blanked where it is under the minimum
    small_share_columns: Mapping[str, str] = field(default_factory=dict)
    keywords: tuple[str, ...] = field(default_factory=tuple)
    map_filter: dict = field(default_factory=dict)  #: which features the map draws (property: value)
    order: str = "id"  #: feature order in REST pages and so on the map: the last drawn is on top

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> list[str]:
        """Every stored column but the run key and the geometry (the analyst projection)."""
        return [f.column for f in self.model._meta.concrete_fields if f.column not in ("run_id", "geom")]

    @property
    def geometry_type(self) -> str:
        return self.model._meta.get_field("geom").geom_type.title().replace("polygon", "Polygon")

    @property
    def public(self) -> bool:
        return self.public_columns is not None


def _counts(rows: list[dict], prop: str) -> dict:
    values, counts = np.unique(np.array([r[prop] for r in rows], dtype=object).astype(str), return_counts=True)
    return dict(zip(values.tolist(), counts.tolist()))


RED_RAMP = ("#b30000", "#e34a33", "#fc8d59", "#fdbb84", "#fdd49e", "#fef0d9")


def kde_legend(rows: list[dict]) -> Legend:
    bands = sorted(rows, key=lambda r: r["band"])
    return Legend("band", "categorical", tuple(
        LegendClass(r["band"], _("Top %(share)s of area") % {"share": f"{r['top_share']:.0%}"}
                    + (" " + _("(%(share)s of incidents)") % {"share": f"{r['incident_share']:.0%}"}
                       if r.get("incident_share") is not None else ""),
                    RED_RAMP[min(i, len(RED_RAMP) - 1)], 1)
        for i, r in enumerate(bands)),
        # xgettext:no-python-format
        note=_("Bands are nested: the top 1% lies inside the top 5%."))


#: constants marked with gettext_noop are translated where they are shown
GI_BINS = {
    # xgettext:no-python-format
    3: (gettext_noop("Hot spot, 99% confidence"), "#d62f27"),
    # xgettext:no-python-format
    2: (gettext_noop("Hot spot, 95% confidence"), "#ed7551"),
    # xgettext:no-python-format
    1: (gettext_noop("Hot spot, 90% confidence"), "#fab984"),
    0: (gettext_noop("Not significant"), "#eeeeee"),
    # xgettext:no-python-format
    -1: (gettext_noop("Cold spot, 90% confidence"), "#c0ccbe"),
    # xgettext:no-python-format
    -2: (gettext_noop("Cold spot, 95% confidence"), "#849eba"),
    # xgettext:no-python-format
    -3: (gettext_noop("Cold spot, 99% confidence"), "#4575b5"),
}


def hotspot_legend(rows: list[dict]) -> Legend:
    present = _counts(rows, "confidence_bin")
    return Legend("confidence_bin", "categorical", tuple(
        LegendClass(b, _(label), color, present[str(b)]) for b, (label, color) in GI_BINS.items() if str(b) in present),
        note=_("Getis-Ord Gi* with False Discovery Rate correction."))


EMERGING_COLORS = {
    1: "#fdd0a2", 2: "#fdae6b", 3: "#e6550d", 4: "#a63603", 5: "#fd8d3c", 6: "#f16913", 7: "#d94801", 8: "#fee6ce",
    0: "#eeeeee", -1: "#c6dbef", -2: "#9ecae1", -3: "#3182bd", -4: "#08519c", -5: "#6baed6", -6: "#4292c6",
    -7: "#2171b5", -8: "#deebf7"}


#: spatial_analysis.emerging.CATEGORIES, capitalised, for the catalogue (that package knows nothing of Django)
EMERGING_NAMES = (
    gettext_noop("No pattern detected"), gettext_noop("New hot spot"), gettext_noop("Consecutive hot spot"),
    gettext_noop("Intensifying hot spot"), gettext_noop("Persistent hot spot"), gettext_noop("Diminishing hot spot"),
    gettext_noop("Sporadic hot spot"), gettext_noop("Oscillating hot spot"), gettext_noop("Historical hot spot"),
    gettext_noop("New cold spot"), gettext_noop("Consecutive cold spot"), gettext_noop("Intensifying cold spot"),
    gettext_noop("Persistent cold spot"), gettext_noop("Diminishing cold spot"), gettext_noop("Sporadic cold spot"),
    gettext_noop("Oscillating cold spot"), gettext_noop("Historical cold spot"),
)


def emerging_legend(rows: list[dict]) -> Legend:
    present = _counts(rows, "category_code")
    return Legend("category_code", "categorical", tuple(
        LegendClass(code, _(CATEGORIES[code].capitalize()), EMERGING_COLORS[code], present[str(code)])
        for code in sorted(CATEGORIES, key=lambda c: (-abs(c) if c else 0, -c)) if str(code) in present))


ORDER_COLORS = ("#6a3d9a", "#cab2d6", "#ff7f00", "#fdbf6f")


def cluster_legend(rows: list[dict]) -> Legend:
    present = _counts(rows, "order")
    names = {1: _("First-order clusters"), 2: _("Second-order clusters"), 3: _("Third-order clusters")}
    return Legend("order", "categorical", tuple(
        LegendClass(int(o), names.get(int(o)) or _("Order %(order)s clusters") % {"order": o}, ORDER_COLORS[min(int(o) - 1, 3)], n)
        for o, n in sorted(present.items(), key=lambda kv: int(kv[0]))))


gettext_noop("Originator"), gettext_noop("Near repeat"), gettext_noop("Repeat"), gettext_noop("Isolated")  # the labels below, capitalised
LABEL_COLORS = {"originator": "#e31a1c", "near repeat": "#ff7f00", "repeat": "#6a3d9a", "isolated": "#999999"}


def near_repeat_legend(rows: list[dict]) -> Legend:
    present = _counts(rows, "label")
    return Legend("label", "categorical", tuple(
        LegendClass(label, _(label.capitalize()), color, present[label])
        for label, color in LABEL_COLORS.items() if label in present))


FORECAST_COLORS = {0.01: "#7a0177", 0.03: "#c51b8a", 0.05: "#fa9fb5"}


def forecast_legend(rows: list[dict]) -> Legend:
    """Top 1/3/5% of the area for the next period; the note says which method won and how it did."""
    present = _counts(rows, "top_share")
    classes = tuple(LegendClass(share, f"Top {share:.0%} of the area for next month", color, present.get(str(share), 0))
                    for share, color in FORECAST_COLORS.items() if str(share) in present)
    note = ""
    if rows and rows[0].get("run_parameters"):
        chosen = json.loads(rows[0]["run_parameters"])
        note = (f"Chosen by backtest: {chosen['winner']}. Of the crimes in the last month, the top "
                f"{chosen['area_share']:.0%} of cells it forecast held {chosen['last_period_hit_rate']:.0%}.")
    return Legend("top_share", "graduated", classes, note=note)  # 0.01 < 0.03 < 0.05: a step, not labels


CHOROPLETH = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")


def area_count_legend(rows: list[dict]) -> Legend:
    """Quantile classes of the rate per 100,000 (year to date, all offences)."""
    shown = [r for r in rows if r["period"] == "ytd" and r["category"] == "all" and r["rate_per_100k"] is not None]
    rates = np.array([r["rate_per_100k"] for r in shown], dtype=float)
    if rates.size == 0:
        return Legend("rate_per_100k", "graduated", ())
    breaks = np.unique(np.quantile(rates, np.linspace(0, 1, min(len(CHOROPLETH), rates.size) + 1)[:-1]))
    upper = [*breaks[1:], rates.max()]
    years = sorted({r["population_year"] for r in shown})
    return Legend("rate_per_100k", "graduated", tuple(
        LegendClass(float(lo), _("%(low)s - %(high)s per 100,000") % {"low": f"{lo:,.0f}", "high": f"{hi:,.0f}"},
                    CHOROPLETH[i], int(((rates >= lo) & (rates <= hi)).sum()))
        for i, (lo, hi) in enumerate(zip(breaks, upper))),
        note=_("Incidents per 100,000 residents, year to date; population of %(years)s.")
        % {"years": ", ".join(map(str, years))})


#: what each public column means, in a few words (map popups; catalogue msgids)
COLUMN_LABELS = {
    "band": gettext_noop("Band"), "top_share": gettext_noop("Top share of the area"),
    "threshold": gettext_noop("Lowest density (incidents per km²)"), "area_km2": gettext_noop("Area (km²)"),
    "incident_share": gettext_noop("Share of incidents"), "cell": gettext_noop("Cell"), "name": gettext_noop("Name"),
    "incident_count": gettext_noop("Incidents"), "z_score": gettext_noop("Gi* z-score"),
    "p_value": gettext_noop("p-value"), "p_value_fdr": gettext_noop("p-value (FDR)"),
    "confidence_bin": gettext_noop("Confidence bin (-3..3)"), "n_neighbours": gettext_noop("Neighbours"),
    "category": gettext_noop("Category"), "category_code": gettext_noop("Category code"),
    "trend_z": gettext_noop("Trend z-score (Mann-Kendall)"), "trend_p": gettext_noop("Trend p-value"),
    "method": gettext_noop("Method"), "order": gettext_noop("Order"), "cluster": gettext_noop("Cluster"),
    "first_date": gettext_noop("First incident"), "last_date": gettext_noop("Last incident"),
    "main_offence": gettext_noop("Main offence"), "main_offence_share": gettext_noop("Share of the main offence"),
    "boundary_set": gettext_noop("Boundary set"), "code": gettext_noop("Code"), "period": gettext_noop("Period"),
    "period_start": gettext_noop("Period start"), "period_end": gettext_noop("Period end"),
    "previous_start": gettext_noop("Previous period start"), "previous_end": gettext_noop("Previous period end"),
    "previous_count": gettext_noop("Previous count"), "change": gettext_noop("Change"),
    # xgettext:no-python-format
    "pct_change": gettext_noop("% change"), "population": gettext_noop("Population"),
    "population_year": gettext_noop("Population year"), "population_source": gettext_noop("Population source"),
    "rate_per_100k": gettext_noop("Rate per 100,000"), "small_count": gettext_noop("Small count"),
    "rank": gettext_noop("Rank"),
}


def column_labels(kind: LayerKind) -> list[dict]:
    """The kind's public columns but the id, each with its label in the active language (the column
    name where none is declared: ``tests/services/test_i18n.py`` checks every one is)."""
    return [{"name": c, "label": _(COLUMN_LABELS.get(c, c))} for c in kind.public_columns or () if c != "id"]


REGISTRY: dict[str, LayerKind] = {kind.name: kind for kind in (
    LayerKind(
        name="kde", title=gettext_noop("Kernel density hot spots"),
        # xgettext:no-python-format
        description=gettext_noop("Nested bands of the kernel density surface covering the top 1/5/10% of the area with "
                    "non-zero density, with the share of incidents each band holds."),
        model=KdeContour, params=kde.KdeParams, job=kde.run,
        public_columns=("id", "band", "top_share", "threshold", "area_km2", "incident_share"),
        small_share_columns={"incident_share": "run_input_count"},
        legend=kde_legend, map_type="fill", keywords=("hotspots", "kernel density"), order="band DESC"),
    LayerKind(
        name="hotspots", title=gettext_noop("Gi* hot spots"),
        description=gettext_noop("Getis-Ord Gi* hot and cold spots of incident counts per cell (hexagons over the country, "
                    "empty cells included, or boundary polygons), at the Optimized Hot Spot Analysis scale, with "
                    "False Discovery Rate confidence bins (-3..3)."),
        model=HotSpotCell, params=hotspots.HotSpotParams, job=hotspots.run,
        public_columns=("id", "cell", "name", "incident_count", "z_score", "p_value", "p_value_fdr",
                        "confidence_bin", "n_neighbours"),
        small_count_columns=("incident_count",),
        legend=hotspot_legend, map_type="fill", keywords=("hotspots", "Getis-Ord Gi*")),
    LayerKind(
        name="emerging", title=gettext_noop("Emerging hot spots"),
        description=gettext_noop("Esri's emerging hot spot categories per cell (new, intensifying, persistent, diminishing, "
                    "... hot and cold spots) from space-time Gi* over monthly steps and a Mann-Kendall trend."),
        model=EmergingCell, params=emerging.EmergingParams, job=emerging.run,
        public_columns=("id", "cell", "category", "category_code", "trend_z", "trend_p", "incident_count"),
        small_count_columns=("incident_count",),
        legend=emerging_legend, map_type="fill", keywords=("hotspots", "emerging", "space-time")),
    LayerKind(
        name="clusters", title=gettext_noop("Incident clusters"),
        description=gettext_noop("Clusters of incidents (HDBSCAN or DBSCAN hulls, or CrimeStat NNH ellipses by order) with "
                    "their size, share of incidents, date span and main offence."),
        model=ClusterPolygon, params=clusters.ClusterParams, job=clusters.run,
        public_columns=("id", "method", "order", "cluster", "incident_count", "incident_share", "first_date",
                        "last_date", "main_offence", "main_offence_share", "area_km2"),
        outlined_count_column="incident_count", outline_through_incidents=True,
        incident_date_columns=("first_date", "last_date"),
        small_share_columns={"main_offence_share": "incident_count"},
        legend=cluster_legend, map_type="fill", keywords=("clusters", "DBSCAN", "HDBSCAN", "NNH")),
    LayerKind(
        name="near-repeat", title=gettext_noop("Near-repeat roles (analysts only)"),
        description=gettext_noop("Each incident's role in near-repeat patterns (originator, repeat, near repeat, isolated) "
                    "at its exact point; the run's Knox table is at /api/runs/{run_id}/knox.csv."),
        model=NearRepeatLabel, params=near_repeat.NearRepeatParams, job=near_repeat.run,
        public_columns=None, legend=near_repeat_legend, map_type="circle", keywords=("near repeat", "Knox")),
    LayerKind(
        name="area-counts", title=gettext_noop("Counts and rates per area"),
        # xgettext:no-python-format
        description=gettext_noop("Incidents per boundary, offence category and period (each month, the last 28 days, the "
                    "year to date) with the previous period, the change, the % change (null when the previous "
                    "count is 0) and the rate per 100,000 with the population's year and source."),
        model=AreaCount, params=area_counts.AreaCountParams, job=area_counts.run,
        public_columns=("id", "boundary_set", "code", "name", "category", "period", "period_start", "period_end",
                        "incident_count", "previous_start", "previous_end", "previous_count", "change",
                        "pct_change", "population", "population_year", "population_source", "rate_per_100k",
                        "small_count"),
        small_count_columns=("incident_count", "previous_count", "change", "pct_change", "rate_per_100k"),
        default_precisions=(*POINT_PRECISIONS, "locality", "district"), time_field="period_start",
        legend=area_count_legend, map_type="fill", keywords=("counts", "rates", "CompStat", "choropleth"),
        map_filter={"period": "ytd", "category": "all"}),
    LayerKind(
        name="forecast", title="Forecast hot spots (chosen by backtest)",
        description="The cells expected to hold next month's crime: the top 1/3/5% of the area by the method "
                    "and scale that best predicted past months (prior counts, recency-weighted counts, kernel "
                    "density at several radii, Gi*, a blend, a self-exciting model), chosen by mean PAI at 3% over "
                    "12 rolling monthly folds; the leaderboard is on the run (/api/runs/{run_id}/).",
        model=ForecastCell, params=forecast.ForecastParams, job=forecast.run,
        # no score for the public: when prior counts win the backtest, it is a cell's count
        public_columns=("id", "cell", "name", "rank", "top_share"),
        legend=forecast_legend, map_type="fill", keywords=("forecast", "PAI", "prospective hot spots"),
        order="top_share DESC"),
)}


def get(name: str) -> LayerKind:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown analysis method {name!r}; known: {', '.join(REGISTRY)}") from None
