"""Vectorised validation: text rows in, typed accepted rows and reasons out.

Each check looks at whole columns at once (pandas / numpy / shapely), and adds a
reason ``{"field", "code", "message"}`` to every row it fails. A row with no reason
is accepted. Nothing here touches the database: the offence codes and the national
outline are passed in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .reading import RawTable

LOCAL_TZ = "America/Belize"
EARLIEST = pd.Timestamp("1900-01-01", tz=LOCAL_TZ)
#: Clock skew allowed for "in the future": the police system's clock may be ahead.
FUTURE_SLACK = timedelta(days=1)

REQUIRED = ("source_id", "offence", "occurred_at")
LOCATION_PAIRS = (("longitude", "latitude", "wgs84"), ("easting", "northing", "utm16n"))

_UTM_TO_WGS84 = Transformer.from_crs(32616, 4326, always_xy=True)
_WGS84_TO_UTM = Transformer.from_crs(4326, 32616, always_xy=True)


@dataclass
class Validated:
    """Accepted rows (typed columns, index = row number) and reasons per rejected row."""

    accepted: pd.DataFrame
    reasons: dict[int, list[dict[str, str]]] = field(default_factory=dict)
    file_messages: list[str] = field(default_factory=list)


class _Reasons:
    def __init__(self) -> None:
        self.by_row: dict[int, list[dict[str, str]]] = defaultdict(list)

    def add(self, rows: pd.Index | list[int], field_: str, code: str, message) -> None:
        """Add a reason to ``rows``; ``message`` is a string or a Series of strings by row."""
        for row in rows:
            text = message if isinstance(message, str) else str(message.loc[row])
            self.by_row[int(row)].append({"field": field_, "code": code, "message": text})


def _text(rows: pd.DataFrame, column: str) -> pd.Series:
    return rows[column].astype(str).str.strip()


def validate(
    table: RawTable,
    *,
    offence_ids: dict[str, int],
    belize_utm: shapely.Geometry,
    now: datetime | None = None,
) -> Validated:
    """Check every row of ``table``.

    ``offence_ids`` maps lower-case offence code *and* label to the offence id;
    ``belize_utm`` is the area (EPSG:32616, tolerance already applied) a point must
    fall in.
    """
    rows = table.rows
    reasons = _Reasons()
    messages: list[str] = []
    columns = set(table.header)

    for row, width in table.ragged.items():
        reasons.add([row], "*", "ragged_row", f"row has {width} fields, the header has {len(table.header)}")

    missing = [c for c in REQUIRED if c not in columns]
    location = next(((x, y, crs) for x, y, crs in LOCATION_PAIRS if {x, y} <= columns), None)
    if location is None:
        missing.append("latitude+longitude or easting+northing")
    for column in missing:
        msg = f"{table.path}: no column {column!r} (columns are {table.header})"
        messages.append(msg)
        reasons.add(rows.index, column, "missing_column", msg)

    out = pd.DataFrame(index=rows.index, columns=["source_id", "offence_id", "occurred_at", "lon", "lat", "geocode_method"])

    if "source_id" in columns:
        sid = _text(rows, "source_id")
        reasons.add(rows.index[sid == ""], "source_id", "required", "source_id is empty")
        reasons.add(rows.index[sid.str.len() > 128], "source_id", "too_long", "source_id is longer than 128 characters")
        dup = (sid != "") & sid.duplicated(keep="first")
        if dup.any():
            firsts = sid.drop_duplicates(keep="first")
            first_row = pd.Series(firsts.index, index=firsts.to_numpy())
            reasons.add(rows.index[dup], "source_id", "duplicate_id",
                        "source_id repeats row " + sid[dup].map(first_row).astype(str) + " of the same file")
        out["source_id"] = sid

    if "offence" in columns:
        off = _text(rows, "offence").str.lower()
        ids = off.map(offence_ids)
        bad = ids.isna()
        known = ", ".join(sorted(k for k in offence_ids if "-" in k or k.isalpha())[:30])
        reasons.add(rows.index[bad & (off == "")], "offence", "required", "offence is empty")
        reasons.add(rows.index[bad & (off != "")], "offence", "unknown_offence",
                    "unknown offence " + off.map(repr) + f"; known codes: {known}")
        out["offence_id"] = ids

    if "occurred_at" in columns:
        raw = _text(rows, "occurred_at")
        parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce", utc=False)
        parsed = parsed if parsed.dtype != object else pd.to_datetime(raw, errors="coerce", utc=True)
        if getattr(parsed.dt, "tz", None) is None:
            parsed = parsed.dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="NaT")
        else:
            parsed = parsed.dt.tz_convert(LOCAL_TZ)
        now_local = pd.Timestamp(now or datetime.now().astimezone()).tz_convert(LOCAL_TZ)
        reasons.add(rows.index[parsed.isna()], "occurred_at", "invalid_date",
                    "cannot read date " + raw.map(repr) + " (expected ISO 8601, e.g. 2024-03-01 21:30)")
        reasons.add(rows.index[parsed > now_local + FUTURE_SLACK], "occurred_at", "future_date",
                    "date " + raw.map(repr) + " is in the future")
        reasons.add(rows.index[parsed < EARLIEST], "occurred_at", "date_too_old",
                    "date " + raw.map(repr) + " is before 1900")
        out["occurred_at"] = parsed

    if location is not None:
        xcol, ycol, crs = location
        xs = pd.to_numeric(_text(rows, xcol), errors="coerce")
        ys = pd.to_numeric(_text(rows, ycol), errors="coerce")
        for col, values in ((xcol, xs), (ycol, ys)):
            reasons.add(rows.index[values.isna()], col, "invalid_number",
                        f"{col} " + _text(rows, col).map(repr) + " is not a number")
        x, y = xs.to_numpy(dtype=float), ys.to_numpy(dtype=float)
        if crs == "wgs84":
            out_of_range = (np.abs(x) > 180) | (np.abs(y) > 90)
            reasons.add(rows.index[out_of_range], f"{ycol}/{xcol}", "invalid_coordinate",
                        "latitude must be within +-90 and longitude within +-180")
            x, y = np.where(out_of_range, np.nan, x), np.where(out_of_range, np.nan, y)
            ux, uy = _WGS84_TO_UTM.transform(x, y)
            lon, lat = x, y
        else:
            ux, uy = x, y
            lon, lat = _UTM_TO_WGS84.transform(x, y)
        finite = np.isfinite(ux) & np.isfinite(uy)
        inside = np.zeros(len(rows), dtype=bool)
        inside[finite] = shapely.contains_xy(belize_utm, ux[finite], uy[finite])
        outside = finite & ~inside
        reasons.add(rows.index[outside], f"{ycol}/{xcol}", "outside_belize",
                    pd.Series([f"point ({a:.6f}, {b:.6f}) is outside Belize" for a, b in zip(lon[outside], lat[outside])],
                              index=rows.index[outside], dtype=object) if outside.any() else "")
        out["lon"], out["lat"] = lon, lat
        out["geocode_method"] = crs

    out["geocode_precision"] = "exact"
    out["place_name"] = _text(rows, "place") if "place" in columns else ""
    rejected = set(reasons.by_row)
    accepted = out.loc[~rows.index.isin(list(rejected))]
    return Validated(accepted=accepted, reasons=dict(reasons.by_row), file_messages=messages)
