"""A clearly labelled SYNTHETIC incident set around real Belize towns, for demos and tests.

Places and their populations are real (GeoNames, shipped in geo_bco/data); the
incidents are not. Incidents fall around towns in proportion to population, with
a realistic offence mix and evening-heavy times, and a few bad rows on purpose so
the demo shows how rejections are reported. Same seed, same file.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

PLACES_CSV = Path(__file__).resolve().parent / "data" / "belize_places.csv"

#: offence code -> relative frequency (shaped on BPD major-crime counts: property
#: crime dominates, murder is rare but not negligible).
OFFENCE_MIX = {
    "theft": 30, "burglary": 22, "harm": 10, "robbery": 8, "wounding": 5, "drugs-possession": 6,
    "domestic-violence": 5, "theft-of-vehicle": 4, "criminal-damage": 3, "shooting": 2.5,
    "murder": 1.2, "attempted-murder": 0.8, "firearm-possession": 1.5, "sexual-offence": 0.6, "rape": 0.4,
}
#: Relative frequency by hour of day (0-23): quiet mornings, evening peak.
HOURLY = np.array([5, 4, 3, 2, 2, 2, 2, 3, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 7, 8, 8, 8, 7, 6], dtype=float)

_TO_UTM = Transformer.from_crs(4326, 32616, always_xy=True)
_TO_WGS84 = Transformer.from_crs(32616, 4326, always_xy=True)


def generate(rows: int = 20000, *, seed: int = 2026, end: datetime | None = None, bad_rows: int = 12,
             days: int = 730) -> pd.DataFrame:
    """Return ``rows`` synthetic incidents over the ``days`` before ``end``, plus ``bad_rows``
    deliberately invalid ones."""
    rng = np.random.default_rng(seed)
    places = pd.read_csv(PLACES_CSV)
    weight = places["population"].to_numpy(dtype=float) ** 1.1
    town = rng.choice(len(places), size=rows, p=weight / weight.sum())
    x0, y0 = _TO_UTM.transform(places["longitude"].to_numpy(), places["latitude"].to_numpy())
    # spread grows with town size: ~250 m for a village, ~2 km for Belize City
    spread = 150 + 8 * np.sqrt(places["population"].to_numpy(dtype=float))
    # a share of incidents sits on a few street-scale hot spots inside each town
    hot = rng.random(rows) < 0.35
    sd = np.where(hot, spread[town] * 0.12, spread[town])
    offset = np.where(hot[:, None], _hotspot_offsets(rng, town, spread), 0.0)
    x = x0[town] + offset[:, 0] + rng.normal(0, sd)
    y = y0[town] + offset[:, 1] + rng.normal(0, sd)
    lon, lat = _TO_WGS84.transform(x, y)
    codes = list(OFFENCE_MIX)
    freq = np.array(list(OFFENCE_MIX.values()))
    end = end or datetime(2026, 9, 30, 23, 59)
    day = rng.integers(0, days, size=rows)
    hours = rng.choice(24, size=rows, p=HOURLY / HOURLY.sum())
    minutes = rng.integers(0, 60, size=rows)
    when = [end - timedelta(days=int(d)) for d in day]
    frame = pd.DataFrame({
        "source_id": [f"DEMO-{i:06d}" for i in range(1, rows + 1)],
        "offence": rng.choice(codes, size=rows, p=freq / freq.sum()),
        "occurred_at": [f"{w:%Y-%m-%d} {h:02d}:{m:02d}" for w, h, m in zip(when, hours, minutes)],
        "latitude": np.round(lat, 6),
        "longitude": np.round(lon, 6),
        "place": places["name"].to_numpy()[town],
        "district": places["district"].to_numpy()[town],
    })
    return pd.concat([frame, _bad_rows(bad_rows, rows)], ignore_index=True)


def _hotspot_offsets(rng: np.random.Generator, town: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Three fixed hot spots per town (same for every incident of that town)."""
    n_towns = int(spread.size)
    centres = np.random.default_rng(7).normal(0, 0.6, (n_towns, 3, 2)) * spread[:, None, None]
    pick = rng.integers(0, 3, size=town.size)
    return centres[town, pick]


def _bad_rows(count: int, start: int) -> pd.DataFrame:
    """Rows a real export contains: each fails one check, so the demo shows every reason."""
    kinds = [
        ("not-an-offence", "2025-05-01 10:00", 17.25, -88.77, "unknown offence"),
        ("theft", "2025-02-30 10:00", 17.25, -88.77, "impossible date"),
        ("theft", "2099-01-01 10:00", 17.25, -88.77, "future date"),
        ("burglary", "2025-05-01 10:00", 25.0, -80.0, "outside Belize"),
        ("burglary", "2025-05-01 10:00", "", -88.77, "missing latitude"),
        ("robbery", "yesterday", 17.5, -88.2, "unreadable date"),
    ]
    rows = []
    for i in range(count):
        offence, when, lat, lon, _why = kinds[i % len(kinds)]
        rows.append({"source_id": f"DEMO-{start + i + 1:06d}", "offence": offence, "occurred_at": when,
                     "latitude": lat, "longitude": lon, "place": "", "district": ""})
    return pd.DataFrame(rows)


def write_csv(path: str | Path, **kwargs) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generate(**kwargs).to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    return path
