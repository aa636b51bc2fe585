"""Choose the hot-spot method and its scale by how well each would have predicted the past.

A rolling-origin backtest: for each fold, every candidate forecaster of
:mod:`spatial_analysis.forecasters` is fitted on the incidents before the
fold's origin and scored on the period that follows, by hit rate, PAI and PEI
(:mod:`spatial_analysis.forecast`) at given shares of the area. Folds come in
*plans* of one period length each: by default the 12 monthly periods and the
12 months before ``end`` as one yearly fold. The leaderboard gives each candidate's mean
and spread of each score per share and plan, and how many folds it won; the
chosen candidate is refitted on every incident before ``end`` and its scores
for the next period are the forecast.

The selection rule (:func:`select_candidate`): the best mean PAI at
``selection_share`` (default 3% of the area) over the folds of the
``selection_plan`` (default the monthly folds); candidates within
``tie_tolerance`` of the best are tied, and a tie goes to the simpler one
(lower ``complexity``: prior counts, recency-weighted counts, kernel
density, Gi*, blend, self-exciting), then to the one listed first.

Reading it, for a commander: a PAI of 8 at 3% means "of the crimes in the
following month, the 3% of the cells this method flagged held 24% (8 x 3%)";
the leaderboard shows whether it held that month after month (small spread,
many folds won) and how it compares with simply mapping last year's counts.

References
----------
Chainey, S., Tompson, L., & Uhlig, S. (2008). The utility of hotspot mapping
for predicting spatial patterns of crime. *Security Journal*, 21, 4-28.

Bowers, K. J., Johnson, S. D., & Pease, K. (2004). Prospective hot-spotting:
the future of crime mapping? *British Journal of Criminology*, 44(5), 641-658.

Mohler, G. O., Short, M. B., Brantingham, P. J., Schoenberg, F. P., & Tita,
G. E. (2011). Self-exciting point process modeling of crime. *Journal of the
American Statistical Association*, 106(493), 100-108.

Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: Principles and
Practice*, 3rd ed., section 5.10 (time-series cross-validation: the rolling
forecasting origin).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import clone

from ._validation import check_choice, check_int
from .base import Estimator
from .forecast import flagged_cells, pai_curve
from .forecasters import (
    GiStarForecast,
    KDEForecast,
    PriorCounts,
    RecencyKDE,
    RecencyWeightedCounts,
    SelfExcitingForecast,
    cell_areas,
    cell_side,
    check_cells,
    check_incidents,
    check_timestamp,
)

__all__ = [
    "DEFAULT_AREA_SHARES",
    "DEFAULT_PLANS",
    "FoldPlan",
    "FoldScore",
    "HotSpotSelector",
    "SelectionSummary",
    "backtest",
    "default_candidates",
    "leaderboard",
    "rolling_folds",
    "select_candidate",
]

#: Shares of the area flagged when scoring: the top 1%, 3% and 5% of the cells.
DEFAULT_AREA_SHARES: tuple[float, ...] = (0.01, 0.03, 0.05)


@dataclass(frozen=True)
class FoldPlan:
    """A family of rolling-origin folds: ``n_folds`` consecutive periods of one length.

    Attributes
    ----------
    name : str
        Label in the leaderboard ("month", "year").
    freq : str
        pandas offset alias of the period, anchored on calendar boundaries
        (``"MS"`` months, ``"12MS"`` years from a month start, ``"7D"`` weeks).
    n_folds : int
        Periods scored, the last ones before ``end``.
    """

    name: str
    freq: str
    n_folds: int


#: 12 monthly folds and one yearly fold (the 12 months before ``end``, from any month start).
DEFAULT_PLANS: tuple[FoldPlan, ...] = (FoldPlan("month", "MS", 12), FoldPlan("year", "12MS", 1))


@dataclass(frozen=True)
class FoldScore:
    """One candidate's score on one fold at one area share (a row of ``fold_scores_``)."""

    candidate: str
    plan: str
    fold: int
    start: str
    end: str
    area_share: float
    crimes: float
    hit_rate: float
    pai: float
    pei: float


@dataclass(frozen=True)
class SelectionSummary:
    """What the map says about a selection: which method won, and how it did (JSON-ready via ``asdict``).

    Attributes
    ----------
    method : str
        The winner's label, e.g. "kernel density (300 m)".
    family : str
        Its family ("prior counts", "kernel density", ...).
    parameters : dict
        Its parameters.
    rule : str
        The selection rule in words.
    area_share : float
        The share of the area the rule scores (0.03 = the top 3% of cells).
    plan : str
        The folds the rule scores ("month").
    n_folds : int
        How many.
    pai_mean, hit_rate_mean : float
        The winner's mean PAI and hit rate at ``area_share`` over them.
    prior_counts_pai_mean : float or None
        The same for prior counts, the peer (None if it was not a candidate).
    last_period_start, last_period_end : str
        The last backtested period (ISO timestamps).
    last_period_hit_rate : float
        Share of that period's crimes inside the winner's top ``area_share``
        of cells, forecast from the history before it: "of the crimes in the
        last month, these 3% of the cells held X%".
    forecast_start : str
        Start of the forecast period (``end``).
    """

    method: str
    family: str
    parameters: dict
    rule: str
    area_share: float
    plan: str
    n_folds: int
    pai_mean: float
    hit_rate_mean: float
    prior_counts_pai_mean: float | None
    last_period_start: str
    last_period_end: str
    last_period_hit_rate: float
    forecast_start: str


def default_candidates(cell_size: float) -> list[Estimator]:
    """The candidates of a default selection, for cells of side ``cell_size`` metres.

    Prior counts; recency-weighted counts with half-lives of 30, 90 and 365
    days; kernel density with Esri's default bandwidth and with 1, 2 and 4
    cells; Gi* with the automatic distance; the blend of 90-day recency
    with a kernel of 1 and 2 cells; and the self-exciting point process with
    a 30-day horizon.

    Examples
    --------
    >>> [c.label for c in default_candidates(150)][:2]
    ['prior counts', 'recency-weighted counts (half-life 30 days)']
    """
    c = float(cell_size)
    return [
        PriorCounts(),
        *(RecencyWeightedCounts(half_life_days=d) for d in (30.0, 90.0, 365.0)),
        KDEForecast(bandwidth="auto"),
        *(KDEForecast(bandwidth=m * c) for m in (1, 2, 4)),
        GiStarForecast(),
        *(RecencyKDE(half_life_days=90.0, bandwidth=m * c) for m in (1, 2)),
        SelfExcitingForecast(horizon_days=30.0),
    ]


def rolling_folds(
    times: pd.DatetimeIndex, plans: tuple[FoldPlan, ...], end: pd.Timestamp
) -> list[tuple[FoldPlan, int, pd.Timestamp, pd.Timestamp]]:
    """(plan, fold number, start, end) of every fold: the last ``n_folds`` periods before ``end``.

    Raises ``ValueError`` when a plan's first fold starts before the first
    incident leaves any history to train on.

    Examples
    --------
    >>> t = pd.to_datetime(["2022-03-05", "2023-07-01"])
    >>> [(p.name, i, str(a.date()), str(b.date())) for p, i, a, b in
    ...  rolling_folds(t, (FoldPlan("month", "MS", 2),), pd.Timestamp("2023-08-01"))]
    [('month', 0, '2023-06-01', '2023-07-01'), ('month', 1, '2023-07-01', '2023-08-01')]
    """
    out = []
    for plan in plans:
        n = check_int(plan.n_folds, name="n_folds", minimum=1)
        edges = pd.date_range(end=end, periods=n + 1, freq=plan.freq)
        if edges[-1] != end:
            raise ValueError(f"end {end} is not on a {plan.freq!r} boundary for the {plan.name!r} folds; pass such an end")
        if times[0] >= edges[0]:
            raise ValueError(
                f"too little history for {n} {plan.name!r} fold(s): the first fold starts {edges[0].date()} but the "
                f"first incident is {times[0].date()}; give fewer folds (n_folds) or more history (times)"
            )
        out.extend((plan, i, edges[i], edges[i + 1]) for i in range(n))
    return out


def backtest(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    cells: gpd.GeoDataFrame,
    candidates: list[Estimator],
    *,
    plans: tuple[FoldPlan, ...] = DEFAULT_PLANS,
    area_shares: tuple[float, ...] = DEFAULT_AREA_SHARES,
    end: object = None,
    training_window: object = None,
) -> pd.DataFrame:
    """Score every candidate on every fold: one :class:`FoldScore` row per candidate, fold and share.

    Parameters
    ----------
    X : array-like of shape (n, 2), or GeoSeries/GeoDataFrame of points
        Incident locations in metres, in the cells' CRS.
    y : array-like of shape (n,)
        Incident times, datetimes sorted ascending.
    cells : geopandas.GeoDataFrame
        Target cells: a grid from :mod:`spatial_analysis.grids`, or boundary
        polygons of unequal area (scored with their areas).
    candidates : list of forecasters
        Estimators with ``fit(X, y, cells, *, origin=)`` and ``scores_``
        (:mod:`spatial_analysis.forecasters`); each is cloned per fold.
    plans : tuple of FoldPlan, default :data:`DEFAULT_PLANS`
    area_shares : tuple of float, default (0.01, 0.03, 0.05)
    end : datetime-like, optional
        End of the last fold (exclusive). Default: the first boundary of the
        first plan's period after the last incident (the period holding the
        last incident is taken as complete; pass ``end`` when it is not).
    training_window : timedelta-like, optional
        Length of history each fold trains on. Default: all history before
        the fold's origin.

    Returns
    -------
    pandas.DataFrame
        The fields of :class:`FoldScore` as columns.

    Raises
    ------
    ValueError
        Too little history for the folds, an empty training window, times not
        sorted or not datetimes, cells in another CRS, unequal cells.
    """
    xy, t, pos, end_ts = _prepare(X, y, cells, plans, end)
    areas = cell_areas(cells)
    window = None if training_window is None else pd.Timedelta(training_window)
    if window is not None and window <= pd.Timedelta(0):
        raise ValueError(f"training_window must be a positive duration; got {training_window!r}")
    if not candidates:
        raise ValueError("candidates is empty; give at least one forecaster")
    rows: list[FoldScore] = []
    for plan, fold, start, stop in rolling_folds(t, plans, end_ts):
        lo = t.searchsorted(start - window) if window is not None else 0
        hi = t.searchsorted(start)
        if hi == lo:
            raise ValueError(
                f"the training window of {plan.name!r} fold {fold} ({(start - window).date() if window is not None else 'start'}"
                f" to {start.date()}) holds no incident; give a longer training_window"
            )
        test = pos[t.searchsorted(start) : t.searchsorted(stop)]
        counts = np.bincount(test[test >= 0], minlength=len(cells)).astype(np.float64)
        for cand in candidates:
            fitted = clone(cand).fit(xy[lo:hi], t[lo:hi], cells, origin=start)
            rows.extend(_fold_scores(cand.label, plan, fold, start, stop, fitted.scores_, counts, area_shares, areas))
    return pd.DataFrame([asdict(r) for r in rows])


def _prepare(X, y, cells, plans, end):
    xy, t, pos = check_incidents(X, y, cells)
    if not plans:
        raise ValueError("plans is empty; give at least one FoldPlan")
    if end is None:
        end_ts = pd.date_range(start=t[-1], periods=1, freq=plans[0].freq)[0]
        if end_ts <= t[-1]:
            end_ts = end_ts + pd.tseries.frequencies.to_offset(plans[0].freq)
    else:
        end_ts = check_timestamp(end, name="end")
    return xy, t, pos, end_ts


def _fold_scores(label, plan, fold, start, stop, scores, counts, shares, areas) -> list[FoldScore]:
    if counts.sum() == 0:
        nan = math.nan
        return [FoldScore(label, plan.name, fold, str(start), str(stop), s, 0.0, nan, nan, nan) for s in shares]
    curve = pai_curve(scores, counts, area_shares=list(shares), cell_areas=areas)
    return [
        FoldScore(label, plan.name, fold, str(start), str(stop), float(s), float(counts.sum()), float(r.hit_rate), float(r.pai), float(r.pei))
        for s, r in zip(shares, curve.itertuples(index=False))
    ]


def leaderboard(fold_scores: pd.DataFrame, candidates: list[Estimator]) -> pd.DataFrame:
    """Mean and spread of each score per candidate, plan and share, and the folds each candidate won.

    A candidate wins a fold at a share when its PAI there is the highest
    (every tied candidate wins). ``*_sd`` is the standard deviation over the
    folds (0 for a single fold).

    Returns
    -------
    pandas.DataFrame
        Columns ``candidate``, ``family``, ``complexity``, ``parameters`` (a
        dict), ``plan``, ``area_share``, ``n_folds``, ``hit_rate_mean``,
        ``hit_rate_sd``, ``pai_mean``, ``pai_sd``, ``pei_mean``, ``pei_sd``,
        ``folds_won``, sorted by plan, share and falling mean PAI.
    """
    by = fold_scores.groupby(["plan", "fold", "area_share"])["pai"]
    best = by.transform("max")
    fs = fold_scores.assign(won=(fold_scores["pai"] >= best - 1e-12 * best.abs()) & fold_scores["pai"].notna())
    g = fs.groupby(["candidate", "plan", "area_share"], sort=False)
    table = g.agg(
        n_folds=("pai", "count"),
        hit_rate_mean=("hit_rate", "mean"),
        hit_rate_sd=("hit_rate", lambda v: float(np.std(v))),
        pai_mean=("pai", "mean"),
        pai_sd=("pai", lambda v: float(np.std(v))),
        pei_mean=("pei", "mean"),
        pei_sd=("pei", lambda v: float(np.std(v))),
        folds_won=("won", "sum"),
    ).reset_index()
    info = pd.DataFrame(
        {
            "candidate": [c.label for c in candidates],
            "family": [c.family for c in candidates],
            "complexity": [c.complexity for c in candidates],
            "order": range(len(candidates)),
            "parameters": [c.get_params() for c in candidates],
        }
    )
    table = info.merge(table, on="candidate")
    table["folds_won"] = table["folds_won"].astype(int)
    table = table.sort_values(["plan", "area_share", "pai_mean", "complexity", "order"], ascending=[True, True, False, True, True])
    columns = ["candidate", "family", "complexity", "parameters", "plan", "area_share", "n_folds", "hit_rate_mean",
               "hit_rate_sd", "pai_mean", "pai_sd", "pei_mean", "pei_sd", "folds_won"]
    return table[columns].reset_index(drop=True)


def select_candidate(
    board: pd.DataFrame, candidates: list[Estimator], *, plan: str, area_share: float, tie_tolerance: float = 0.0
) -> int:
    """Index (into ``candidates``) of the chosen candidate: the documented selection rule.

    The best mean PAI at ``area_share`` over the folds of ``plan``; every
    candidate whose mean PAI is within ``tie_tolerance`` (relative) of the
    best is tied, and the tie goes to the lowest ``complexity``, then to the
    first listed.

    Examples
    --------
    >>> board = pd.DataFrame({"candidate": ["prior counts", "kernel density (300 m)"],
    ...                       "plan": "month", "area_share": 0.03, "pai_mean": [7.9, 8.0]})
    >>> cands = [PriorCounts(), KDEForecast(bandwidth=300.0)]
    >>> select_candidate(board, cands, plan="month", area_share=0.03)
    1
    >>> select_candidate(board, cands, plan="month", area_share=0.03, tie_tolerance=0.02)
    0
    """
    rows = board[(board["plan"] == plan) & np.isclose(board["area_share"], area_share)]
    if rows.empty:
        raise ValueError(f"the leaderboard has no row for plan={plan!r} at area_share={area_share!r}")
    pai = dict(zip(rows["candidate"], rows["pai_mean"]))
    means = np.array([pai.get(c.label, np.nan) for c in candidates], dtype=np.float64)
    if not np.isfinite(means).any():
        raise ValueError(f"no candidate has a finite mean PAI for plan={plan!r}; every test period was empty")
    top = np.nanmax(means)
    tied = [i for i, m in enumerate(means) if np.isfinite(m) and m >= top - tie_tolerance * abs(top) - 1e-12 * abs(top)]
    return min(tied, key=lambda i: (candidates[i].complexity, i))


class HotSpotSelector(Estimator):
    """Backtest the hot-spot candidates, choose one by the documented rule, forecast the next period.

    ``fit(X, y, cells)`` runs :func:`backtest` over the fold plans, builds the
    :func:`leaderboard`, chooses a candidate with :func:`select_candidate` and
    refits it on every incident before ``end``; ``scores_`` are its scores for
    the period that starts at ``end``. Everything is deterministic: no
    candidate draws random numbers (the self-exciting model's EM uses
    probabilities, not samples), so the same data give the same leaderboard
    without a seed.

    Parameters
    ----------
    candidates : list of forecasters, optional
        Default :func:`default_candidates` for the cells' size.
    plans : tuple of FoldPlan, default 12 monthly folds and one yearly fold
    area_shares : tuple of float, default (0.01, 0.03, 0.05)
        Shares of the area at which hit rate, PAI and PEI are scored.
    selection_plan : str, default "month"
        Name of the plan whose folds choose the winner.
    selection_share : float, default 0.03
        Share at which the winner has the best mean PAI; must be one of
        ``area_shares``.
    tie_tolerance : float, default 0.0
        Relative margin of mean PAI within which candidates tie (the simpler
        one wins); 0 ties only equal means.
    end : datetime-like, optional
        End of the history and start of the forecast period. Default: the
        boundary of the selection plan's period after the last incident.
    training_window : timedelta-like, optional
        History each fold and the final refit train on; default all of it.

    Attributes
    ----------
    leaderboard_ : pandas.DataFrame
        See :func:`leaderboard`; ``leaderboard_.to_dict("records")`` is JSON
        serialisable.
    fold_scores_ : pandas.DataFrame
        Every candidate's hit rate, PAI and PEI per fold and share
        (:class:`FoldScore` fields).
    candidates_ : list of forecasters
        The candidates compared.
    best_index_ : int
        Position of the winner in ``candidates_``.
    best_ : forecaster
        The winner, refitted on every incident before ``end_``.
    best_label_ : str
        Its name, e.g. "kernel density (300 m)".
    best_params_ : dict
        Its parameters.
    scores_ : numpy.ndarray of shape (n_cells,)
        The winner's scores for the next period, aligned with ``cells``.
    cell_areas_ : numpy.ndarray or None
        Areas of the cells (m^2) when they are unequal, else None.
    end_ : pandas.Timestamp
        Start of the forecast period.
    selection_rule_ : str
        The rule in words, for the run record.
    summary_ : SelectionSummary
        What the map says: the winner, its scores and its last period's catch.

    References
    ----------
    Chainey, Tompson & Uhlig (2008); Bowers, Johnson & Pease (2004); Mohler et
    al. (2011). See the module docstring.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from spatial_analysis.grids import square_grid
    >>> rng = np.random.default_rng(0)
    >>> cells = square_grid(100, extent=(300_000, 1_900_000, 301_000, 1_901_000), crs=32616)
    >>> hot = rng.normal([300_250, 1_900_750], 60, size=(300, 2))
    >>> noise = rng.uniform([300_000, 1_900_000], [301_000, 1_901_000], size=(300, 2))
    >>> pts = np.vstack([hot, noise])
    >>> times = np.sort(pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.uniform(0, 730, 600), "D"))
    >>> sel = HotSpotSelector(candidates=[PriorCounts(), KDEForecast(bandwidth=200.0)],
    ...                       plans=(FoldPlan("month", "MS", 3),)).fit(pts, times, cells)
    >>> sel.scores_.shape, str(sel.end_.date())
    ((100,), '2025-01-01')
    >>> sorted(sel.leaderboard_.columns)[:3]
    ['area_share', 'candidate', 'complexity']
    >>> sel.top_cells(0.05).shape  # the hottest 5 of 100 cells
    (5,)
    >>> sel.summary_.area_share, sel.summary_.plan, sel.summary_.n_folds
    (0.03, 'month', 3)
    """

    def __init__(
        self,
        *,
        candidates: list[Estimator] | None = None,
        plans: tuple[FoldPlan, ...] = DEFAULT_PLANS,
        area_shares: tuple[float, ...] = DEFAULT_AREA_SHARES,
        selection_plan: str = "month",
        selection_share: float = 0.03,
        tie_tolerance: float = 0.0,
        end: object = None,
        training_window: object = None,
    ) -> None:
        self.candidates = candidates
        self.plans = plans
        self.area_shares = area_shares
        self.selection_plan = selection_plan
        self.selection_share = selection_share
        self.tie_tolerance = tie_tolerance
        self.end = end
        self.training_window = training_window

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike, cells: gpd.GeoDataFrame) -> HotSpotSelector:
        """Backtest, choose and refit on the incidents ``X`` (metres) at times ``y`` over ``cells``.

        Returns
        -------
        HotSpotSelector
            self, fitted.
        """
        plans = tuple(self.plans)
        check_choice(self.selection_plan, tuple(p.name for p in plans), name="selection_plan")
        shares = tuple(float(s) for s in self.area_shares)
        if not any(np.isclose(self.selection_share, s) for s in shares):
            raise ValueError(f"selection_share={self.selection_share!r} must be one of area_shares {shares}")
        check_cells(cells)
        if self.candidates is None:
            candidates = default_candidates(cell_side(cells))
        else:
            candidates = [clone(c) for c in self.candidates]
        labels = [c.label for c in candidates]
        if len(set(labels)) != len(labels):
            raise ValueError(f"candidates must have distinct labels; got {labels}")
        # The selection plan's period sets the default end, so its folds end there.
        ordered = tuple(sorted(plans, key=lambda p: p.name != self.selection_plan))
        xy, t, _, end_ts = _prepare(X, y, cells, ordered, self.end)
        self.fold_scores_ = backtest(
            xy, t, cells, candidates, plans=plans, area_shares=shares, end=end_ts, training_window=self.training_window
        )
        self.leaderboard_ = leaderboard(self.fold_scores_, candidates)
        self.best_index_ = select_candidate(
            self.leaderboard_, candidates, plan=self.selection_plan, area_share=self.selection_share,
            tie_tolerance=float(self.tie_tolerance),
        )
        lo = 0 if self.training_window is None else t.searchsorted(end_ts - pd.Timedelta(self.training_window))
        hi = t.searchsorted(end_ts)
        self.candidates_ = candidates
        self.best_ = clone(candidates[self.best_index_]).fit(xy[lo:hi], t[lo:hi], cells, origin=end_ts)
        self.best_label_ = self.best_.label
        self.best_params_ = self.best_.get_params()
        self.scores_ = self.best_.scores_
        self.cell_areas_ = cell_areas(cells)
        self.end_ = end_ts
        tie = (
            "equal means tie" if not self.tie_tolerance else f"candidates within {self.tie_tolerance:.0%} of the best tie"
        )
        self.selection_rule_ = (
            f"best mean PAI at {100 * float(self.selection_share):g}% of the area over the {self.selection_plan!r} folds; "
            f"{tie} and the simplest of them wins"
        )
        self.summary_ = self._summary()
        return self

    def _summary(self) -> SelectionSummary:
        share, plan = float(self.selection_share), self.selection_plan
        board = self.leaderboard_[(self.leaderboard_.plan == plan) & np.isclose(self.leaderboard_.area_share, share)]
        row = board[board.candidate == self.best_label_].iloc[0]
        prior = board[board.family == "prior counts"]
        folds = self.fold_scores_
        mine = folds[(folds.candidate == self.best_label_) & (folds.plan == plan) & np.isclose(folds.area_share, share)]
        last = mine.sort_values("fold").iloc[-1]
        return SelectionSummary(
            method=self.best_label_,
            family=self.best_.family,
            parameters=self.best_params_,
            rule=self.selection_rule_,
            area_share=share,
            plan=plan,
            n_folds=int(row.n_folds),
            pai_mean=float(row.pai_mean),
            hit_rate_mean=float(row.hit_rate_mean),
            prior_counts_pai_mean=float(prior.pai_mean.iloc[0]) if len(prior) else None,
            last_period_start=str(last.start),
            last_period_end=str(last.end),
            last_period_hit_rate=float(last.hit_rate),
            forecast_start=str(self.end_),
        )

    def top_cells(self, area_share: float) -> np.ndarray:
        """Positions (into ``cells``) of the top ``area_share`` of the cells by ``scores_``, hottest first.

        The rule the scores use (:func:`spatial_analysis.forecast.flagged_cells`):
        ``ceil(area_share * n_cells)`` equal cells, or whole cells of unequal
        area until the share of the area is reached; equal scores at the cut
        are taken in cell order.
        """
        return flagged_cells(self.scores_, area_share, cell_areas=self.cell_areas_)
