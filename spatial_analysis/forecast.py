"""Forecast accuracy of hot-spot maps: hit rate, PAI, PAI*, PEI and the PAI curve.

A hot-spot surface gives every grid cell a score (a KDE density, a Gi* z-score,
last period's count, ...). We flag the highest-scoring cells covering a chosen
share of the study area and ask how many of the *later* period's crimes fell in
them.

* **Hit rate** ``n / N``: share of later crimes inside the flagged cells.
* **PAI** (Predictive Accuracy Index, Chainey, Tompson & Uhlig 2008):
  ``(n / N) / (a / A)``, the hit rate divided by the share of area flagged. 1 is
  no better than flagging cells at random; 10 means the flagged area catches ten
  times its "fair share" of crime.
* **PAI\\*** (``pai_max``): the largest PAI any map could have reached with the
  same flagged area, i.e. by flagging the cells that turned out to have the most
  later crimes: ``(n* / N) / (a / A)``.
* **PEI** (Predictive Efficiency Index, Hunt 2016; used in the NIJ Real-Time
  Crime Forecasting Challenge): ``PAI / PAI* = n / n*``, between 0 and 1: how
  much of the best achievable catch, for that area, the map caught.

Cells
-----
A NaN score marks a cell the method did not score (Gi* with
``zero_cells="drop"`` leaves cells without incidents unscored): it ranks below
every scored cell, so it is flagged only when the share asks for more cells
than were scored. Infinite scores are rejected.

With cells of equal area (a regular grid) the area share is the share of
cells: flagging a share ``s`` of ``m`` cells flags ``k = ceil(s * m)`` cells
(at least 1); the share actually flagged, ``k / m``, is reported. With cells of
unequal area (police beats, districts: pass ``cell_areas``) whole cells are
flagged in score order until their area first reaches ``s`` of the total, and
the share actually flagged is reported; PAI* then flags cells in order of
crimes per unit area until the same area is reached (greedy, which for equal
areas is the exact best), and tie averaging shares the flags left at the cut
among the tied cells as for equal areas. Both rules are the equal-area rules
when the areas are equal. Pass only cells
inside the study area (e.g. ``scores[land_mask]``): sea cells would inflate
``A`` and every PAI. ``scores`` and ``counts`` may be 1-D or grids of the same
shape; they are compared cell by cell.

Ties in score
-------------
When cells with the same score straddle the cut (common with counts or
clipped surfaces), which of them are "flagged" is arbitrary. The default
``ties="average"`` gives each tied cell at the cut an equal fractional share:
``n = (crimes in cells scored above the tie) + (k - cells above) * (mean crimes
of the tied cells)``, which is the expected catch if ties were broken at random,
is deterministic, and does not depend on cell order (``n`` may then be
fractional). ``ties="first"`` flags tied cells in array order (lowest index
first), which is deterministic but depends on how the grid is laid out.

References
----------
Chainey, S., Tompson, L., & Uhlig, S. (2008). The utility of hotspot mapping for
predicting spatial patterns of crime. *Security Journal*, 21, 4-28.

Hunt, J. M. (2016). *Do crime hot spots move? Exploring the effects of the
modifiable areal unit problem and modifiable temporal unit problem on crime hot
spot stability*. PhD dissertation, American University.

National Institute of Justice (2017). Real-Time Crime Forecasting Challenge:
scoring by PAI and PEI (PEI = PAI / PAI*).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._validation import check_choice, check_finite_values

__all__ = [
    "DEFAULT_AREA_SHARES",
    "ForecastAccuracy",
    "flagged_cells",
    "forecast_accuracy",
    "hit_rate",
    "n_flagged",
    "pai",
    "pai_curve",
    "pei",
]

#: Flagged-area shares of the default PAI curve: 0.5 % to 20 % of the study area.
DEFAULT_AREA_SHARES: tuple[float, ...] = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.10, 0.15, 0.20)

Ties = Literal["average", "first"]


@dataclass(frozen=True)
class ForecastAccuracy:
    """Accuracy of one hot-spot map at one flagged-area share.

    Attributes
    ----------
    area_share_requested : float
        Share of the study area asked for.
    area_share : float
        Share actually flagged, ``n_flagged / n_cells`` (``a / A``).
    n_cells : int
        Cells in the study area.
    n_flagged : int
        Cells flagged, ``ceil(area_share_requested * n_cells)``.
    crimes_total : float
        Later-period crimes in the study area (``N``).
    crimes_captured : float
        Later-period crimes in the flagged cells (``n``; fractional with tie
        averaging).
    crimes_best : float
        Most later crimes any ``n_flagged`` cells hold (``n*``).
    hit_rate : float
        ``n / N``.
    pai : float
        ``(n / N) / (a / A)``.
    pai_max : float
        PAI*, ``(n* / N) / (a / A)``.
    pei : float
        ``PAI / PAI* = n / n*`` (NaN if ``n* = 0``).
    """

    area_share_requested: float
    area_share: float
    n_cells: int
    n_flagged: int
    crimes_total: float
    crimes_captured: float
    crimes_best: float
    hit_rate: float
    pai: float
    pai_max: float
    pei: float


# ------------------------------------------------------------------ internals


def _prepare(scores: npt.ArrayLike, counts: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores)
    unscored = np.isnan(s) if s.dtype.kind == "f" else np.zeros(s.shape, dtype=bool)
    # NaN = a cell the method did not score (e.g. Gi* with zero_cells="drop"): ranked below every score
    s = check_finite_values(np.where(unscored, 0.0, s), shape=(None,) * max(s.ndim, 1), name="scores").ravel()
    s[unscored.ravel()] = -np.inf
    c_in = np.asarray(counts)
    if c_in.shape != np.shape(scores):
        raise ValueError(f"counts must have the same shape as scores {np.shape(scores)}; got {c_in.shape}")
    c = check_finite_values(c_in, shape=(None,) * max(c_in.ndim, 1), name="counts").ravel()
    if s.size == 0:
        raise ValueError("scores is empty; give one score per study-area cell")
    if (c < 0).any():
        bad = int(np.flatnonzero(c < 0)[0])
        raise ValueError(f"counts must be >= 0; got {c[bad]!r} at flat index {bad}")
    return s, c


def _check_share(value: object, *, name: str) -> float:
    try:
        share = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number in (0, 1]; got {value!r}") from None
    if not (0.0 < share <= 1.0):
        raise ValueError(f"{name} must be in (0, 1] (a share, e.g. 0.05 for 5 %); got {value!r}")
    return share


def n_flagged(area_share: float, n_cells: int) -> int:
    """Cells flagged for a share of the area: ``ceil(area_share * n_cells)``, at least 1.

    The one rule every score here uses, and a map showing "the top 3%" should.

    Examples
    --------
    >>> n_flagged(0.03, 1600), n_flagged(0.3, 10), n_flagged(0.01, 20)
    (48, 3, 1)
    """
    share = _check_share(area_share, name="area_share")
    # round first so that e.g. 0.3 * 10 = 3.0000000000000004 flags 3 cells, not 4
    return int(min(n_cells, max(1, math.ceil(round(share * n_cells, 9)))))


def flagged_cells(
    scores: npt.ArrayLike, area_share: float, *, cell_areas: npt.ArrayLike | None = None
) -> np.ndarray:
    """Positions of the cells a map flags at ``area_share``, hottest first (the rule every score here uses).

    ``ceil(area_share * n)`` cells for equal areas (:func:`n_flagged`); with
    ``cell_areas``, whole cells in score order until their area first reaches
    the share. Equal scores at the cut are taken in cell order (a map must draw
    whole cells). NaN scores rank last.

    Examples
    --------
    >>> flagged_cells([0.2, 0.9, 0.5, 0.1], 0.5).tolist()
    [1, 2]
    >>> flagged_cells([0.2, 0.9, 0.5, 0.1], 0.5, cell_areas=[1, 1, 1, 3]).tolist()  # 3 of 6 needs three cells
    [1, 2, 0]
    """
    s, _ = _prepare(scores, np.zeros(np.shape(scores)))
    share = _check_share(area_share, name="area_share")
    ranking = _Ranking(s, np.zeros(s.size), "first", _check_areas(cell_areas, s.size))
    return np.argsort(-s, kind="stable")[: ranking.n_flagged(share)]


class _Ranking:
    """Cells sorted by score (descending, ties by index) with cumulative counts and areas."""

    def __init__(self, scores: np.ndarray, counts: np.ndarray, ties: str, areas: np.ndarray | None) -> None:
        order = np.argsort(-scores, kind="stable")
        s_sorted = scores[order]
        self.cum = np.concatenate([[0.0], np.cumsum(counts[order])])
        self.ties = ties
        self.areas = areas
        m = scores.size
        change = np.flatnonzero(s_sorted[1:] != s_sorted[:-1]) + 1
        self.starts = np.concatenate([[0], change])
        self.ends = np.concatenate([change, [m]])
        self.group = np.repeat(np.arange(self.starts.size), self.ends - self.starts)
        if areas is None:
            self.best = np.concatenate([[0.0], np.cumsum(np.sort(counts)[::-1])])
        else:
            self.cum_area = np.concatenate([[0.0], np.cumsum(areas[order])])
            by_density = np.argsort(-(counts / areas), kind="stable")
            self.best = np.concatenate([[0.0], np.cumsum(counts[by_density])])
            self.best_area = np.concatenate([[0.0], np.cumsum(areas[by_density])])

    def n_flagged(self, share: float) -> int:
        m = self.group.size
        if self.areas is None:
            return n_flagged(share, m)
        return _first_reaching(self.cum_area, share * self.cum_area[-1], m)

    def flagged_share(self, k: int) -> float:
        return k / self.group.size if self.areas is None else float(self.cum_area[k] / self.cum_area[-1])

    def best_captured(self, k: int) -> float:
        if self.areas is None:
            return float(self.best[k])
        return float(self.best[_first_reaching(self.best_area, self.cum_area[k], self.group.size)])

    def captured(self, k: int) -> float:
        if self.ties == "first":
            return float(self.cum[k])
        g = self.group[k - 1]
        a, b = self.starts[g], self.ends[g]
        return float(self.cum[a] + (k - a) * (self.cum[b] - self.cum[a]) / (b - a))


def _first_reaching(cumulative: np.ndarray, target: float, m: int) -> int:
    """Smallest k >= 1 with cumulative[k] >= target (up to rounding), at most m."""
    k = int(np.searchsorted(cumulative, target * (1 - 1e-9), side="left"))
    return min(max(k, 1), m)


def _score(ranking: _Ranking, share: float) -> ForecastAccuracy:
    k = ranking.n_flagged(share)
    total = float(ranking.cum[-1])
    n = ranking.captured(k)
    n_best = ranking.best_captured(k)
    a = ranking.flagged_share(k)
    if total > 0:
        hr, p, p_max = n / total, (n / total) / a, (n_best / total) / a
    else:
        hr = p = p_max = math.nan
    return ForecastAccuracy(
        area_share_requested=share,
        area_share=a,
        n_cells=ranking.group.size,
        n_flagged=k,
        crimes_total=total,
        crimes_captured=n,
        crimes_best=n_best,
        hit_rate=hr,
        pai=p,
        pai_max=p_max,
        pei=n / n_best if n_best > 0 else math.nan,
    )


def _check_areas(cell_areas: npt.ArrayLike | None, n: int) -> np.ndarray | None:
    if cell_areas is None:
        return None
    areas = check_finite_values(cell_areas, shape=(None,), name="cell_areas").ravel()
    if areas.size != n:
        raise ValueError(f"cell_areas must have one area per cell ({n}); got {areas.size}")
    if (areas <= 0).any():
        bad = int(np.flatnonzero(areas <= 0)[0])
        raise ValueError(f"cell_areas must be > 0; got {areas[bad]!r} at index {bad}")
    return areas


def _warn_no_crimes(counts: np.ndarray, *, stacklevel: int) -> None:
    if counts.sum() == 0:
        warnings.warn(
            "counts sum to 0: no later-period crimes, so hit rate, PAI and PEI are undefined (NaN)",
            stacklevel=stacklevel,
        )


def _one(scores, counts, area_share, ties, cell_areas) -> ForecastAccuracy:
    s, c = _prepare(scores, counts)
    ties = check_choice(ties, ("average", "first"), name="ties")
    share = _check_share(area_share, name="area_share")
    areas = _check_areas(cell_areas, s.size)
    _warn_no_crimes(c, stacklevel=4)  # user -> public function -> _one -> here
    return _score(_Ranking(s, c, ties, areas), share)


# ----------------------------------------------------------------- public API


def forecast_accuracy(
    scores: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    area_share: float = 0.05,
    ties: Ties = "average",
    cell_areas: npt.ArrayLike | None = None,
) -> ForecastAccuracy:
    """Hit rate, PAI, PAI* and PEI of a hot-spot map at one flagged-area share.

    Parameters
    ----------
    scores : array_like
        Hot-spot score per study-area cell (higher = hotter), e.g. KDE density,
        Gi* z-score or prior-period count. Equal-area cells; finite values.
    counts : array_like, same shape as ``scores``
        Crimes per cell in the later (evaluation) period; finite, >= 0.
    area_share : float, default 0.05
        Share of the study area to flag, in (0, 1]; ``ceil(area_share * cells)``
        cells are flagged.
    ties : {"average", "first"}, default "average"
        How cells with equal scores at the cut are treated (see module docstring).
    cell_areas : array_like, optional
        Area of each cell (any unit), for cells of unequal area such as police
        beats or districts (see module docstring). Default: equal areas.

    Returns
    -------
    ForecastAccuracy

    References
    ----------
    Chainey, Tompson & Uhlig (2008); Hunt (2016); NIJ (2017). See the module
    docstring.

    Examples
    --------
    Ten cells, ten later crimes. Flag 20 % (two cells): the map's top two cells
    hold 5 crimes, the best two cells hold 8.

    >>> scores = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    >>> counts = [5, 0, 3, 0, 0, 1, 0, 0, 1, 0]
    >>> acc = forecast_accuracy(scores, counts, area_share=0.2)
    >>> acc.n_flagged, acc.hit_rate, acc.pai, acc.pai_max, acc.pei
    (2, 0.5, 2.5, 4.0, 0.625)
    """
    return _one(scores, counts, area_share, ties, cell_areas)


def hit_rate(
    scores: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    area_share: float = 0.05,
    ties: Ties = "average",
    cell_areas: npt.ArrayLike | None = None,
) -> float:
    """Share of later crimes in the flagged cells, ``n / N``.

    Same parameters as :func:`forecast_accuracy`.

    Examples
    --------
    >>> hit_rate([3, 2, 1, 0], [2, 1, 1, 0], area_share=0.25)
    0.5
    """
    return _one(scores, counts, area_share, ties, cell_areas).hit_rate


def pai(
    scores: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    area_share: float = 0.05,
    ties: Ties = "average",
    cell_areas: npt.ArrayLike | None = None,
) -> float:
    """Predictive Accuracy Index, ``(n / N) / (a / A)`` (Chainey et al. 2008).

    Same parameters as :func:`forecast_accuracy`.

    Examples
    --------
    >>> pai([3, 2, 1, 0], [2, 1, 1, 0], area_share=0.25)
    2.0
    """
    return _one(scores, counts, area_share, ties, cell_areas).pai


def pei(
    scores: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    area_share: float = 0.05,
    ties: Ties = "average",
    cell_areas: npt.ArrayLike | None = None,
) -> float:
    """Predictive Efficiency Index, ``PAI / PAI* = n / n*`` (Hunt 2016).

    PAI* is the largest PAI achievable with the same flagged area. Same
    parameters as :func:`forecast_accuracy`.

    Examples
    --------
    The map flags the cell with 1 crime; the best cell had 2.

    >>> pei([0, 3, 1, 2], [2, 1, 1, 0], area_share=0.25)
    0.5
    """
    return _one(scores, counts, area_share, ties, cell_areas).pei


def pai_curve(
    scores: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    area_shares: Sequence[float] = DEFAULT_AREA_SHARES,
    ties: Ties = "average",
    cell_areas: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """PAI, PAI*, PEI and hit rate over a range of flagged-area shares.

    Parameters
    ----------
    scores, counts : array_like
        As in :func:`forecast_accuracy`.
    area_shares : sequence of float, default :data:`DEFAULT_AREA_SHARES`
        Shares of the study area to flag, each in (0, 1] (default 0.5 % ... 20 %).
    ties : {"average", "first"}, default "average"
    cell_areas : array_like, optional
        Area of each cell, for cells of unequal area (see :func:`forecast_accuracy`).

    Returns
    -------
    DataFrame
        One row per requested share, with the fields of
        :class:`ForecastAccuracy` as columns.

    Examples
    --------
    >>> scores = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    >>> counts = [5, 0, 3, 0, 0, 1, 0, 0, 1, 0]
    >>> curve = pai_curve(scores, counts, area_shares=[0.1, 0.2, 0.5])
    >>> curve[["n_flagged", "pai", "pei"]].values.tolist()
    [[1.0, 5.0, 1.0], [2.0, 2.5, 0.625], [5.0, 1.6, 0.8]]
    """
    s, c = _prepare(scores, counts)
    ties = check_choice(ties, ("average", "first"), name="ties")
    shares = [_check_share(v, name="area_shares") for v in np.atleast_1d(np.asarray(area_shares, dtype=object))]
    if not shares:
        raise ValueError("area_shares is empty; give at least one share in (0, 1]")
    areas = _check_areas(cell_areas, s.size)
    _warn_no_crimes(c, stacklevel=3)
    ranking = _Ranking(s, c, ties, areas)
    rows = [_score(ranking, share) for share in shares]
    return pd.DataFrame([r.__dict__ for r in rows])
