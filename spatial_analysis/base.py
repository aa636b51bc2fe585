"""The estimator contract: one base class, one ``fit`` convention, one coordinate check.

Every estimator in this package

- subclasses :class:`Estimator`, which is scikit-learn's ``BaseEstimator``:
  ``__init__`` only stores its keyword-only parameters under their own names,
  so ``get_params``, ``set_params``, the repr and ``sklearn.base.clone`` work
  the same everywhere (``tests/spatial_analysis/test_estimators.py`` checks
  every estimator, as scikit-learn's ``parametrize_with_checks`` does);
- validates its parameters in ``fit``, never in ``__init__``;
- follows one ``fit`` convention: ``fit(X, y=None, ...)`` where ``X`` is the
  locations, an array of shape (n, 2) of x, y in projected metres (or a
  GeoSeries/GeoDataFrame of points in a projected CRS), checked by
  :func:`spatial_analysis._validation.check_coordinates`; ``y`` is the data
  attached to each row of ``X`` (counts per cell, times per incident), None
  for estimators that need none; anything else follows (``cells`` for the
  forecasters) or is keyword-only (``sample_weight``); it returns ``self``;
- keeps fitted attributes in names ending in ``_``;
- reports warnings at the caller's line: a warning raised anywhere inside
  ``fit`` is re-issued as if raised by the line that called ``fit``, so an
  analyst sees which of their calls it concerns.

Function forms (``gi_star``, ``density_clusters``, ...) wrap the public ``fit``
or the other way round, never a private method; :func:`warnings_at_caller`
gives them the same warning behaviour.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from sklearn.base import BaseEstimator

__all__ = ["Estimator", "readonly", "warnings_at_caller"]

F = TypeVar("F", bound=Callable)


def warnings_at_caller(func: F) -> F:
    """Decorate ``func`` so the warnings raised inside it point at its caller's line.

    Warnings are recorded while ``func`` runs (also when it raises) and
    re-issued with the same message and category one frame up, where the
    user's filters apply to them as usual. Nested decorated calls pass each
    warning outwards, so it ends on the line of the outermost call.

    Examples
    --------
    >>> @warnings_at_caller
    ... def noisy():
    ...     warnings.warn("deep inside", UserWarning, stacklevel=1)
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     noisy()
    >>> seen[0].filename == __file__ or seen[0].filename.startswith("<doctest")
    True
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                return func(*args, **kwargs)
        finally:  # outside the recording block, so the caller's filters decide
            for w in caught:
                warnings.warn(w.message, w.category, stacklevel=2)

    return wrapper  # type: ignore[return-value]


def readonly(a: np.ndarray) -> np.ndarray:
    """Mark a result array read-only (results are shared, never edited in place) and return it."""
    a.setflags(write=False)
    return a


class Estimator(BaseEstimator):
    """Base of every estimator: scikit-learn's parameter handling, warnings at the caller.

    Subclasses declare their parameters as keyword-only ``__init__`` arguments
    stored unchanged under the same names; their ``fit`` is wrapped by
    :func:`warnings_at_caller` when the class is created.

    Examples
    --------
    >>> from sklearn.base import clone
    >>> class Smoother(Estimator):
    ...     def __init__(self, *, radius=100.0):
    ...         self.radius = radius
    ...     def fit(self, X, y=None):
    ...         self.radius_ = float(self.radius)
    ...         return self
    >>> s = Smoother(radius=250.0)
    >>> s
    Smoother(radius=250.0)
    >>> clone(s).get_params()
    {'radius': 250.0}
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        fit = cls.__dict__.get("fit")
        if fit is not None and not getattr(fit, "_warnings_at_caller", False):
            wrapped = warnings_at_caller(fit)
            wrapped._warnings_at_caller = True  # type: ignore[attr-defined]
            cls.fit = wrapped  # type: ignore[method-assign]
