"""The estimator contract, checked over every estimator of the package (as scikit-learn's
``parametrize_with_checks`` does): clone, parameters, repr, fit convention, no mutation,
determinism, projected metres only, warnings at the caller's line."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import spatial_analysis

from spatial_analysis.base import Estimator
from spatial_analysis.clustering import DensityClusters, NNHClustering
from spatial_analysis.emerging import EmergingHotSpots
from spatial_analysis.forecast_selection import FoldPlan, HotSpotSelector
from spatial_analysis.forecasters import (
    GiStarForecast,
    KDEForecast,
    PriorCounts,
    RecencyKDE,
    RecencyWeightedCounts,
    SelfExcitingForecast,
)
from spatial_analysis.hotspots import GetisOrdGiStar
from spatial_analysis.kde import KernelDensity
from spatial_analysis.near_repeat import NearRepeat

from synthetic import X0, Y0, hot_spot_and_noise, hundred_cells


def _incidents():
    return hot_spot_and_noise(5, 240, start="2024-01-01", days=120, spread=50)


_cells = hundred_cells


def _centroids_and_counts():
    xx, yy = np.meshgrid(np.arange(8) * 250.0, np.arange(8) * 250.0)
    pts = np.c_[xx.ravel(), yy.ravel()] + [X0, Y0]
    counts = np.random.default_rng(1).poisson(3, 64).astype(float)
    counts[:4] = 20
    return pts, counts


def _space_time():
    pts, _ = _centroids_and_counts()
    counts = np.random.default_rng(2).poisson(3, size=(64, 10)).astype(float)
    counts[:3, -1] = 15
    return pts, counts


def _incidents_and_days():
    pts, times = _incidents()
    return pts, ((times - times[0]) / pd.Timedelta(1, "D")).to_numpy()


def _forecast_input():
    pts, times = _incidents()
    return pts, times, _cells()


# (estimator, function making its fit arguments); one entry per estimator class.
CASES = [
    (KernelDensity(bandwidth=200.0, cell_size=50.0), lambda: (_incidents()[0],)),
    (DensityClusters(eps=60.0, min_samples=5), lambda: (_incidents()[0],)),
    (NNHClustering(min_points=5, area=1e6), lambda: (_incidents()[0],)),
    (NearRepeat(permutations=19, random_state=0), _incidents_and_days),
    (GetisOrdGiStar(distance=400.0), _centroids_and_counts),
    (EmergingHotSpots(distance=300.0), _space_time),
    (PriorCounts(), _forecast_input),
    (RecencyWeightedCounts(half_life_days=30.0), _forecast_input),
    (KDEForecast(bandwidth=200.0), _forecast_input),
    (GiStarForecast(distance=250.0), _forecast_input),
    (RecencyKDE(half_life_days=30.0, bandwidth=150.0), _forecast_input),
    (SelfExcitingForecast(n_iter=5), _forecast_input),
    (
        HotSpotSelector(candidates=[PriorCounts(), KDEForecast(bandwidth=200.0)], plans=(FoldPlan("month", "MS", 2),)),
        _forecast_input,
    ),
]
IDS = [type(e).__name__ for e, _ in CASES]


def test_every_estimator_of_the_package_is_checked():
    modules = [importlib.import_module(f"spatial_analysis.{m.name}") for m in pkgutil.iter_modules(spatial_analysis.__path__)]
    found = {
        cls for mod in modules for _, cls in inspect.getmembers(mod, inspect.isclass)
        if issubclass(cls, Estimator) and cls is not Estimator and cls.__module__.startswith("spatial_analysis")
    }
    assert found == {type(e) for e, _ in CASES}


def _fitted(est, make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clone(est).fit(*make())


def _fitted_attributes(est) -> dict:
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}


@pytest.mark.parametrize(("est", "make"), CASES, ids=IDS)
def test_init_stores_only_its_keyword_only_parameters(est, make):
    sig = inspect.signature(type(est).__init__)
    params = [p for p in sig.parameters.values() if p.name != "self"]
    assert all(p.kind is p.KEYWORD_ONLY for p in params)
    assert set(vars(est)) == {p.name for p in params} == set(est.get_params())


@pytest.mark.parametrize(("est", "make"), CASES, ids=IDS)
def test_clone_copies_parameters_and_drops_fitted_state(est, make):
    fitted = _fitted(est, make)
    assert _fitted_attributes(fitted)
    copy = clone(fitted)
    assert type(copy) is type(est) and not _fitted_attributes(copy)
    assert repr(copy.get_params()) == repr(est.get_params())


@pytest.mark.parametrize(("est", "make"), CASES, ids=IDS)
def test_set_params_round_trips_and_rejects_unknown_names(est, make):
    e = clone(est)
    assert e.set_params(**e.get_params()) is e
    with pytest.raises(ValueError, match="Invalid parameter"):
        e.set_params(no_such_parameter=1)


@pytest.mark.parametrize(("est", "make"), CASES, ids=IDS)
def test_repr_names_the_class(est, make):
    assert repr(est).startswith(f"{type(est).__name__}(")


@pytest.mark.parametrize(("est", "make"), CASES, ids=IDS)
def test_fit_returns_self_and_leaves_inputs_unchanged(est, make):
    args = make()
    before = [a.copy() for a in args]
    e = clone(est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert e.fit(*args) is e
    for a, b in zip(args, before):
        if hasattr(a, "geometry"):
            assert a.geom_equals(b).all()
        else:
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    return True  # geometry frames, results and estimators are compared through their arrays


@pytest.mark.parametrize(("est", "make"), CASES, ids=IDS)
def test_fit_is_deterministic(est, make):
    a, b = _fitted(est, make), _fitted(est, make)
    fa, fb = _fitted_attributes(a), _fitted_attributes(b)
    assert fa.keys() == fb.keys()
    assert all(_same(fa[k], fb[k]) for k in fa)


@pytest.mark.parametrize(("est", "make"), CASES, ids=IDS)
def test_fit_rejects_degrees(est, make):
    args = list(make())
    args[0] = (np.asarray(args[0]) - [X0, Y0]) / 1e6 + [-88.5, 17.2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="degrees"):
            clone(est).fit(*args)


# A degenerate input per estimator that warns; the warning must point at the line calling fit.
WARNING_CASES = [
    (KernelDensity(bandwidth=20.0, cell_size=50.0), lambda: (_incidents()[0],), "smaller than cell_size"),
    (DensityClusters(eps=1.0, min_samples=5), lambda: (_incidents()[0],), "no clusters"),
    (GetisOrdGiStar(distance=100.0), _centroids_and_counts, "no neighbour"),
    (NearRepeat(permutations=19, random_state=0), lambda: (_incidents()[0], np.zeros(240)), "same time"),
    (
        GiStarForecast(distance=250.0),
        lambda: (_cells().centroid.get_coordinates().to_numpy(), pd.date_range("2024-01-01", periods=100), _cells()),
        "same count",
    ),
]


@pytest.mark.parametrize(("est", "make", "match"), WARNING_CASES, ids=[type(c[0]).__name__ for c in WARNING_CASES])
def test_warnings_point_at_the_line_that_called_fit(est, make, match):
    with pytest.warns(UserWarning, match=match) as record:
        clone(est).fit(*make())
    assert record and all(w.filename == __file__ for w in record)
