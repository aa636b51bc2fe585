"""Small seeded incident sets shared by the forecasting tests: a hot spot plus uniform noise over 1 km^2."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spatial_analysis.grids import square_grid

X0, Y0 = 300_000.0, 1_900_000.0


def hot_spot_and_noise(seed: int, n: int, *, start: str, days: float, spread: float) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """``n`` incidents, half around (X0 + 250..300, Y0 + 700..750), half uniform; times sorted over ``days``."""
    rng = np.random.default_rng(seed)
    hot = rng.normal([X0 + 250, Y0 + 750], spread, size=(n // 2, 2))
    noise = rng.uniform([X0, Y0], [X0 + 1000, Y0 + 1000], size=(n - n // 2, 2))
    times = pd.DatetimeIndex(np.sort(pd.Timestamp(start) + pd.to_timedelta(rng.uniform(0, days, n), "D")))
    return np.vstack([hot, noise]), times


def hundred_cells():
    """10 x 10 cells of 100 m over the same square kilometre."""
    return square_grid(100, extent=(X0, Y0, X0 + 1000, Y0 + 1000), crs="EPSG:32616")
