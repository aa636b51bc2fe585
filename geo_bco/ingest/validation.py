"""Vectorised validation and geocoding: canonical text columns in, typed rows and reasons out.

Each check looks at whole columns at once (pandas / numpy / shapely) and adds a
reason ``{"field", "code", "message"}`` to every row it fails; a row with no reason is
accepted. Nothing here touches the database: the offence codes, the area that counts
as Belize and the place geocoder are passed in.

Location, per row, in this order (the first the row has wins):
  1. a point geometry (GeoJSON / GeoPackage / shapefile input): precision exact;
  2. latitude/longitude in WGS84 (a swapped pair is fixed only when the swap is the
     only reading inside Belize, and the method says so): precision exact;
  3. easting/northing in UTM zone 16N: precision exact;
  4. a place name matched against the gazetteer (``district`` disambiguates): the
     matcher's precision (locality or district) and score.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .profiles import DEFAULT, Profile
from .reading import RawTable

LOCAL_TZ = "America/Belize"
EARLIEST = pd.Timestamp("1900-01-01", tz=LOCAL_TZ)
#: Clock skew allowed for "in the future": the police system's clock may be ahead.
FUTURE_SLACK = timedelta(days=1)
REQUIRED = ("source_id", "offence", "occurred_at")
#: A date carries its own UTC offset when a time is followed by Z or +-hh[:mm]
#: ("2025-03-01T21:30Z", "2025-03-01 21:30-06:00", "...T2130+0000"); the time is
#: required so that the day of a plain "2025-03-01" is not read as an offset.
UTC_OFFSET = re.compile(r"(?i)[T\s]\d{1,2}(?::?\d{2}){0,2}(?:[.,]\d+)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$")
#: Incident.place_name's max_length: a longer place is rejected, never cut.
PLACE_NAME_CHARS = 200
#: Where a UTM zone's eastings and northern-hemisphere northings can lie, in metres.
UTM_EASTING = (0.0, 1_000_000.0)
UTM_NORTHING = (0.0, 10_000_000.0)
ACCEPTED_COLUMNS = ["source_id", "offence_id", "occurred_at", "lon", "lat", "geocode_precision",
                    "geocode_method", "geocode_score", "place_name"]

_UTM_TO_WGS84 = Transformer.from_crs(32616, 4326, always_xy=True)
_WGS84_TO_UTM = Transformer.from_crs(4326, 32616, always_xy=True)

#: (places, districts or None) -> frame indexed like places with lon, lat, precision,
#: method, score, reason_code, reason_message (see geo_bco.geocoding.Gazetteer.match)
PlaceGeocoder = Callable[[pd.Series, "pd.Series | None"], pd.DataFrame]


@dataclass
class Validated:
    """Accepted rows (typed columns, index = row number) and reasons per rejected row."""

    accepted: pd.DataFrame
    reasons: dict[int, list[dict[str, str]]] = field(default_factory=dict)
    file_messages: list[str] = field(default_factory=list)


class _Reasons:
    def __init__(self) -> None:
        self.by_row: dict[int, list[dict[str, str]]] = defaultdict(list)

    def add(self, rows, field_: str, code: str, message) -> None:
        """Add a reason to ``rows``; ``message`` is a string or a Series of strings by row."""
        for row in rows:
            text = message if isinstance(message, str) else str(message.loc[row])
            self.by_row[int(row)].append({"field": field_, "code": code, "message": text})

    def where(self, mask, field_: str, code: str, template: str, *values: pd.Series) -> None:
        """Add a reason to the rows where ``mask`` holds; the message is ``template``
        formatted with those rows' ``values`` (built only for failing rows: cheap on
        a million good ones)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        picked = [v[mask] for v in values]
        rows = picked[0].index if picked else np.flatnonzero(mask)
        for i, row in enumerate(rows):
            text = template.format(*(v.iloc[i] for v in picked))
            self.by_row[int(row)].append({"field": field_, "code": code, "message": text})


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A canonical column (already stripped text), or blanks when the file lacks it."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column]


def validate(
    table: RawTable,
    *,
    offence_ids: dict[str, int],
    belize_utm: shapely.Geometry,
    profile: Profile = DEFAULT,
    geocode_places: PlaceGeocoder | None = None,
    now: datetime | None = None,
) -> Validated:
    """Check and geocode every row of ``table``.

    ``offence_ids`` maps lower-case offence code *and* label to the offence id;
    ``belize_utm`` is the area (EPSG:32616) a point must fall in.
    """
    frame, messages = profile.canonical(table)
    reasons = _Reasons()
    for row, found in table.problems.items():
        reasons.by_row[row].extend(found)

    missing = [f"{c!r}" + (f" (profile column {profile.columns[c]!r})" if c in profile.columns else "")
               for c in REQUIRED if c not in frame]
    has_location = any(c in frame for c in ("latitude", "easting", "_geometry_longitude", "place"))
    if not has_location:
        missing.append("a location: 'latitude'+'longitude', 'easting'+'northing' or 'place'")
    for what in missing:
        msg = f"{table.path}: no column {what}; the file's columns are {table.header}"
        messages.append(msg)
        reasons.add(frame.index, what.split(" ")[0].strip("'"), "missing_column", msg)

    out = pd.DataFrame(index=frame.index, columns=ACCEPTED_COLUMNS)
    out["source_id"] = _check_source_ids(frame, reasons)
    out["offence_id"] = _check_offences(frame, offence_ids, reasons)
    out["occurred_at"] = _check_dates(frame, profile, reasons, now)
    _locate(frame, out, reasons, belize_utm, geocode_places)
    out["place_name"] = _check_place_name(frame, reasons)

    accepted = out.loc[~frame.index.isin(list(reasons.by_row))]
    return Validated(accepted=accepted, reasons=dict(reasons.by_row), file_messages=messages)


def _check_source_ids(frame: pd.DataFrame, reasons: _Reasons) -> pd.Series:
    if "source_id" not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    sid = _text(frame, "source_id")
    reasons.where(sid == "", "source_id", "required", "source_id is empty", sid)
    reasons.where(sid.str.len() > 128, "source_id", "too_long", "source_id is longer than 128 characters", sid)
    dup = (sid != "") & sid.duplicated(keep="first")
    if dup.any():
        firsts = sid.drop_duplicates(keep="first")
        first_row = pd.Series(firsts.index, index=firsts.to_numpy())
        reasons.add(frame.index[dup], "source_id", "duplicate_id",
                    "source_id repeats row " + sid[dup].map(first_row).astype(str) + " of the same file")
    return sid


def _check_offences(frame: pd.DataFrame, offence_ids: dict[str, int], reasons: _Reasons) -> pd.Series:
    if "offence" not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    given = _text(frame, "offence")
    codes, uniques = pd.factorize(given.str.lower())  # a handful of distinct values in a million rows
    lookup = np.array([offence_ids.get(u, np.nan) for u in uniques] + [np.nan], dtype=float)
    ids = pd.Series(lookup[codes], index=frame.index)
    bad = ids.isna()
    reasons.where(bad & (given == ""), "offence", "required", "offence is empty", given)
    known = ", ".join(sorted(k for k in offence_ids if " " not in k)[:30])
    reasons.where(bad & (given != ""), "offence", "unknown_offence",
                  "unknown offence {!r} (map it in the source's profile); known codes: " + known.replace("{", "{{"), given)
    return ids


def _check_place_name(frame: pd.DataFrame, reasons: _Reasons) -> pd.Series:
    place = _text(frame, "place")
    length = place.str.len()
    reasons.where(length > PLACE_NAME_CHARS, "place", "field_too_long",
                  "place holds {:,} characters (at most " + str(PLACE_NAME_CHARS) + ")", length)
    return place


def _parse_with_formats(raw: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Timestamps in UTC whatever mixture of offsets the column holds; text without
    an offset comes back as its wall-clock time labelled UTC, to be localised by the
    caller (pandas refuses a column mixing offsets unless it converts to UTC)."""
    if not formats:
        return pd.to_datetime(raw, format="ISO8601", errors="coerce", utc=True)
    parsed = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    for fmt in formats:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(raw[todo], format=fmt, errors="coerce", utc=True)
    return parsed


def _check_dates(frame: pd.DataFrame, profile: Profile, reasons: _Reasons, now: datetime | None) -> pd.Series:
    if "occurred_at" not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    raw = _text(frame, "occurred_at")
    parsed = _parse_with_formats(raw, profile.date_formats)
    if "time" in frame:
        clock = _text(frame, "time")
        times = _parse_with_formats(clock, profile.time_formats or ("%H:%M", "%H%M", "%H:%M:%S"))
        given = clock != ""
        reasons.where(given & times.isna(), "time", "invalid_time", "cannot read time {!r}", clock)
        offset = (times - times.dt.normalize()).where(given, pd.Timedelta(0))
        parsed = parsed + offset.fillna(pd.Timedelta(0))
    wall_clock = parsed.dt.tz_localize(None).dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="NaT")
    parsed = parsed.dt.tz_convert(LOCAL_TZ).where(raw.str.contains(UTC_OFFSET.pattern, regex=True), wall_clock)
    now_local = pd.Timestamp(now or datetime.now().astimezone()).tz_convert(LOCAL_TZ)
    expected = " or ".join(profile.date_formats) if profile.date_formats else "ISO 8601, e.g. 2024-03-01 21:30"
    missing = parsed.isna()
    reasons.where(missing & (raw == ""), "occurred_at", "required", "occurred_at is empty", raw)
    reasons.where(missing & (raw != ""), "occurred_at", "invalid_date",
                  "cannot read date {!r} (expected " + expected + ")", raw)
    reasons.where(parsed > now_local + FUTURE_SLACK, "occurred_at", "future_date", "date {!r} is in the future", raw)
    reasons.where(parsed < EARLIEST, "occurred_at", "date_too_old", "date {!r} is before 1900", raw)
    return parsed


def _numbers(frame: pd.DataFrame, xcol: str, ycol: str, reasons: _Reasons) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both cells finite numbers -> (x, y, given); one or both non-numeric or
    non-finite ("inf", "1e999") but not both empty -> a reason."""
    xt, yt = _text(frame, xcol), _text(frame, ycol)
    x, y = pd.to_numeric(xt, errors="coerce"), pd.to_numeric(yt, errors="coerce")
    blank = (xt == "") & (yt == "")
    for col, text, values in ((xcol, xt, x), (ycol, yt, y)):
        reasons.where(~blank & values.isna(), col, "invalid_number", col + " {!r} is not a number", text)
        reasons.where(~blank & values.notna() & ~np.isfinite(values.to_numpy(dtype=float)), col,
                      "coordinate_out_of_range", col + " {!r} is not a finite number", text)
    x, y = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
    given = ~blank.to_numpy() & np.isfinite(x) & np.isfinite(y)
    return x, y, given


def _inside(area: shapely.Geometry, ux: np.ndarray, uy: np.ndarray) -> np.ndarray:
    ok = np.isfinite(ux) & np.isfinite(uy)
    inside = np.zeros(len(ux), dtype=bool)
    inside[ok] = shapely.contains_xy(area, ux[ok], uy[ok])
    return inside


def _locate(frame: pd.DataFrame, out: pd.DataFrame, reasons: _Reasons, area: shapely.Geometry,
            geocode_places: PlaceGeocoder | None) -> None:
    n = len(frame)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    method = np.full(n, None, dtype=object)
    precision = np.full(n, None, dtype=object)
    score = np.full(n, np.nan)
    todo = np.ones(n, dtype=bool)

    def take(mask: np.ndarray, x: np.ndarray, y: np.ndarray, how: str, columns: tuple[str, str],
             label: str | None = None) -> None:
        """Place the rows of ``mask`` at (x, y) in WGS84, except those a projection
        turned non-finite: rejected before any point is built."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        lost = mask & ~(np.isfinite(x) & np.isfinite(y))
        label = label or "/".join(columns)
        reasons.where(lost, label, "coordinate_out_of_range", label + " ({!r}, {!r}) has no finite position in WGS84",
                      *(_text(frame, c) for c in columns))
        ok = mask & ~lost
        lon[ok], lat[ok], method[ok], precision[ok], score[ok] = x[ok], y[ok], how, "exact", 100.0
        todo[mask] = False

    if "_geometry_longitude" in frame:
        gx = pd.to_numeric(frame["_geometry_longitude"], errors="coerce").to_numpy(dtype=float)
        gy = pd.to_numeric(frame["_geometry_latitude"], errors="coerce").to_numpy(dtype=float)
        take(todo & ~(np.isnan(gx) & np.isnan(gy)), gx, gy, "geometry", ("_geometry_longitude", "_geometry_latitude"),
             "geometry")

    if "latitude" in frame or "longitude" in frame:
        x, y, given = _numbers(frame, "longitude", "latitude", reasons)
        given = given & todo
        bad_range = given & ((np.abs(x) > 180) | (np.abs(y) > 90))
        swapped_ok = given & (np.abs(y) <= 180) & (np.abs(x) <= 90)
        ux, uy = _WGS84_TO_UTM.transform(np.where(given & ~bad_range, x, np.nan), np.where(given & ~bad_range, y, np.nan))
        sx, sy = _WGS84_TO_UTM.transform(np.where(swapped_ok, y, np.nan), np.where(swapped_ok, x, np.nan))
        swap = given & ~_inside(area, ux, uy) & _inside(area, sx, sy)
        reasons.where(bad_range & ~swap, "latitude/longitude", "coordinate_out_of_range",
                      "latitude {!r} / longitude {!r} is out of range (latitude within +-90, longitude within +-180)",
                      _text(frame, "latitude"), _text(frame, "longitude"))
        take(given & swap, y, x, "wgs84-swapped", ("longitude", "latitude"))
        take(given & ~swap & ~bad_range, x, y, "wgs84", ("longitude", "latitude"))
        todo[given] = False

    if "easting" in frame or "northing" in frame:
        e, nn, given = _numbers(frame, "easting", "northing", reasons)
        given = given & todo
        beyond = given & ((e < UTM_EASTING[0]) | (e > UTM_EASTING[1]) | (nn < UTM_NORTHING[0]) | (nn > UTM_NORTHING[1]))
        reasons.where(beyond, "easting/northing", "coordinate_out_of_range",
                      f"easting {{!r}} / northing {{!r}} is outside UTM zone 16N (easting {UTM_EASTING[0]:,.0f} to "
                      f"{UTM_EASTING[1]:,.0f} m, northing {UTM_NORTHING[0]:,.0f} to {UTM_NORTHING[1]:,.0f} m)",
                      _text(frame, "easting"), _text(frame, "northing"))
        todo[beyond] = False
        given &= ~beyond
        x, y = _UTM_TO_WGS84.transform(np.where(given, e, np.nan), np.where(given, nn, np.nan))
        take(given, x, y, "utm16n", ("easting", "northing"))

    places = _text(frame, "place")
    wanted = todo & (places != "").to_numpy()
    if wanted.any():
        if geocode_places is None:
            reasons.add(frame.index[wanted], "place", "no_geocoder", "no coordinates and no gazetteer to read the place")
        else:
            districts = _text(frame, "district")[wanted] if "district" in frame else None
            found = geocode_places(places[wanted], districts)
            ok = found["reason_code"].isna().to_numpy()
            rows = np.flatnonzero(wanted)
            hit, miss = rows[ok], rows[~ok]
            lon[hit], lat[hit] = found["lon"].to_numpy(dtype=float)[ok], found["lat"].to_numpy(dtype=float)[ok]
            method[hit], precision[hit] = found["method"].to_numpy()[ok], found["precision"].to_numpy()[ok]
            score[hit] = found["score"].to_numpy(dtype=float)[ok]
            for row, code, msg in zip(frame.index[miss], found["reason_code"][~ok], found["reason_message"][~ok]):
                reasons.add([row], "place", str(code), str(msg))
        todo[wanted] = False

    nowhere = todo & ~frame.index.isin(list(reasons.by_row))
    reasons.where(nowhere, "location", "no_location", "the row has no coordinates and no place name", places)

    ux, uy = _WGS84_TO_UTM.transform(lon, lat)
    placed = pd.notna(method)
    outside = placed & ~_inside(area, np.asarray(ux), np.asarray(uy))
    reasons.where(outside, "location", "outside_belize",
                  "point ({:.6f}, {:.6f}) is outside Belize's land and territorial waters",
                  pd.Series(lon, index=frame.index), pd.Series(lat, index=frame.index))
    out["lon"], out["lat"], out["geocode_method"] = lon, lat, method
    out["geocode_precision"], out["geocode_score"] = precision, score
