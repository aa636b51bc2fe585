"""Mapping profiles: one small TOML file per source describes its export.

A profile says which source column holds each of our fields, how the source writes
dates, and how its offence codes map onto the taxonomy. Applying it turns any export
into the canonical table the validator reads (columns ``source_id``, ``offence``,
``occurred_at``, ``latitude``/``longitude`` or ``easting``/``northing``, ``place``,
``district``), leaving the raw rows untouched for the rejected-row store.

TOML, not YAML: it is in the standard library (tomllib), has no implicit typing
surprises ("NO" becoming false), and is easy for a data steward to edit.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .reading import GEOMETRY_COLUMNS, RawTable

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
FIELDS = ("source_id", "offence", "occurred_at", "time", "latitude", "longitude", "easting", "northing",
          "place", "district")
TOP_LEVEL = {"source_system", "description", "columns", "dates", "offences"}


class ProfileError(ValueError):
    """A profile file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Profile:
    source_system: str
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)      # our field -> source column
    date_formats: tuple[str, ...] = ()                           # strptime formats; empty = ISO 8601
    time_formats: tuple[str, ...] = ()
    offences: dict[str, str] = field(default_factory=dict)      # normalised source value -> taxonomy code

    def canonical(self, table: RawTable) -> tuple[pd.DataFrame, list[str]]:
        """The table with our column names (absent fields left out), values stripped of
        surrounding blanks, and offences mapped; plus a warning per set of headers that
        differ only in case or spaces. Headers match our field names and the profile's
        columns whatever their case and spacing ("Source_ID", "REPORT  NO"); the exact
        spelling wins when two headers would match."""
        spellings: dict[str, list[str]] = {}
        for name in table.header:
            spellings.setdefault(header_key(name), []).append(name)
        warnings = [f"{table.path}: columns {names} differ only in case or spaces; the exact spelling of a field "
                    "is used, else the first of them" for names in spellings.values() if len(names) > 1]

        def find(name: str) -> str | None:
            names = spellings.get(header_key(name), [])
            return name if name in names else next(iter(names), None)

        mapping = {f: found for f in FIELDS if (found := find(f))} | {
            ours: found for ours, theirs in self.columns.items() if (found := find(theirs))}
        if set(GEOMETRY_COLUMNS) <= set(table.header):
            mapping |= {"_geometry_longitude": GEOMETRY_COLUMNS[0], "_geometry_latitude": GEOMETRY_COLUMNS[1]}
        frame = pd.DataFrame({ours: table.rows[theirs].astype("str").str.strip() for ours, theirs in mapping.items()},
                             index=table.rows.index)
        if self.offences and "offence" in frame:
            frame["offence"] = frame["offence"].str.upper().map(self.offences).fillna(frame["offence"])
        return frame, warnings


def header_key(name: str) -> str:
    """What header matching compares: the name without case or any white space."""
    return "".join(name.split()).casefold()


DEFAULT = Profile(source_system="rms", description="canonical column names, ISO 8601 dates")


def load_profile(name_or_path: str | Path) -> Profile:
    """A profile by file path, or by name from the shipped ``profiles/`` folder."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILE_DIR / f"{name_or_path}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        shipped = sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))
        raise ProfileError(f"{path}: no such profile (shipped profiles: {shipped})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - TOP_LEVEL
    if unknown:
        raise ProfileError(f"{path}: unknown key(s) {sorted(unknown)}; allowed: {sorted(TOP_LEVEL)}")
    if not isinstance(data.get("source_system"), str) or not data["source_system"].strip():
        raise ProfileError(f"{path}: source_system must be a non-empty string")
    columns = data.get("columns", {})
    bad = set(columns) - set(FIELDS)
    if bad:
        raise ProfileError(f"{path}: [columns] has unknown field(s) {sorted(bad)}; fields are {list(FIELDS)}")
    dates = data.get("dates", {})
    for key in ("formats", "time_formats"):
        if not all(isinstance(f, str) and "%" in f for f in dates.get(key, [])):
            raise ProfileError(f"{path}: [dates] {key} must be a list of strptime formats such as '%d/%m/%Y'")
    offences = data.get("offences", {})
    if not all(isinstance(v, str) for v in offences.values()):
        raise ProfileError(f"{path}: [offences] values must be taxonomy codes (strings)")
    return Profile(
        source_system=data["source_system"].strip(),
        description=data.get("description", ""),
        columns={k: str(v) for k, v in columns.items()},
        date_formats=tuple(dates.get("formats", ())),
        time_formats=tuple(dates.get("time_formats", ())),
        offences={k.strip().upper(): v.strip() for k, v in offences.items()},
    )
