"""The bulletin's pictures, drawn server-side with matplotlib from the public layers'
rows: a choropleth of the month's rate per 100,000 with the Gi* hot spot cells on
top, and the monthly trend. Each returns PNG bytes."""

from __future__ import annotations

import io
from datetime import date

import geopandas as gpd
import matplotlib
import numpy as np

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .layers import CHOROPLETH, GI_BINS  # noqa: E402

NO_DATA = "#d9d9d9"


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def quantile_classes(values: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``most`` quantile classes of the finite values: (class bounds, the class of each
    value, -1 where it is NaN). Every finite value falls in a class, the largest in the last."""
    known = values[np.isfinite(values)]
    if known.size == 0:
        return np.array([]), np.full(values.shape, -1)
    bins = np.unique(np.quantile(known, np.linspace(0, 1, min(most, np.unique(known).size) + 1)))
    if bins.size == 1:
        bins = np.array([bins[0], bins[0]])
    classes = np.clip(np.searchsorted(bins, values, side="right") - 1, 0, bins.size - 2)
    return bins, np.where(np.isfinite(values), classes, -1)


def rate_map(areas: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame, *, title: str, legend_title: str,
             hotspot_label: str, no_data_label: str, points: gpd.GeoDataFrame | None = None) -> bytes:
    """Areas coloured by ``rate`` in quantile classes (grey where blanked), hot spot cells
    (confidence bin > 0) in their Gi* colours, and optionally the public cell counts (points sized by count)."""
    fig, ax = plt.subplots(figsize=(5.2, 6.4))
    handles = []
    bins, classes = quantile_classes(areas["rate"].to_numpy(dtype=float), len(CHOROPLETH))
    for i, (lo, hi) in enumerate(zip(bins[:-1], bins[1:])):
        shade = areas[classes == i]
        if len(shade):
            shade.plot(ax=ax, color=CHOROPLETH[i], edgecolor="#444444", linewidth=0.6)
        handles.append(Patch(facecolor=CHOROPLETH[i], edgecolor="#444444", label=f"{lo:,.1f} – {hi:,.1f}"))
    blank = areas[areas["rate"].isna()]
    if len(blank):
        blank.plot(ax=ax, color=NO_DATA, edgecolor="#444444", linewidth=0.6, hatch="//")
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#444444", hatch="//", label=no_data_label))
    hot = hotspots[hotspots["confidence_bin"] > 0]
    for b in sorted(hot["confidence_bin"].unique()):
        hot[hot["confidence_bin"] == b].plot(ax=ax, color=GI_BINS[b][1], edgecolor="none", alpha=0.9)
    if len(hot):
        handles.append(Patch(facecolor=GI_BINS[3][1], label=hotspot_label))
    if points is not None and len(points):
        points.plot(ax=ax, markersize=2 * points["incident_count"], color="#1f4e79", alpha=0.7)
    for row in areas.itertuples():
        centre = row.geometry.representative_point()
        ax.annotate(row.name, (centre.x, centre.y), ha="center", fontsize=7, color="#1a1a1a")
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.legend(handles=handles, title=legend_title, loc="lower left", fontsize=7, title_fontsize=7, frameon=True,
              bbox_to_anchor=(1.0, 0.0))
    return _png(fig)


def trend_chart(months: list[date], counts: list[int | None], *, title: str, highlight: date, ylabel: str) -> bytes:
    """Incidents per month, the bulletin's month marked; a blanked month (None) is a gap."""
    fig, ax = plt.subplots(figsize=(6.8, 2.4))
    values = [float("nan") if n is None else n for n in counts]
    ax.plot(months, values, color="#1f4e79", marker="o", markersize=3, linewidth=1.5)
    if highlight in months and counts[months.index(highlight)] is not None:
        ax.plot([highlight], [counts[months.index(highlight)]], marker="o", markersize=7, color="#b30000")
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_ylim(bottom=0)
    ax.tick_params(labelsize=7)
    ax.grid(axis="y", color="#dddddd")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.autofmt_xdate()
    return _png(fig)
