"""Place names to points: the offline gazetteer matcher and an optional online fallback.

Police records often say *where* in words ("San Ignacio", "Cayo", "P.G.") instead of
coordinates. :class:`Gazetteer` matches such names against the ``Place`` table and says
how it matched, so that the importer can keep or reject each row with a reason a person
can act on. The rules, in order, for one (place, district) value:

1. **Exact**, on :func:`normalise`-d text, in tiers: a place's main name, then a
   district's own spellings ("Cayo", "Cayo District", "BZ-CY"), then a place's alternate
   names (GeoNames' "BZE", "Cayo Town", ...), then the name without a trailing generic
   word ("Belmopan City" -> "belmopan"). Districts rank above alternates so that "Cayo"
   or "Belize" means the district (precision ``district``), which can never make a fake
   hot spot, rather than one town that GeoNames also calls so.
2. **Fuzzy** (``rapidfuzz``), only when nothing matched exactly: the score of a name is
   ``max(fuzz.ratio, fuzz.token_sort_ratio)`` (Indel similarity 0-100, blind to word
   order). A match needs ``score >= FUZZY_CUTOFF`` (87), a query of at least
   ``FUZZY_MIN_CHARS`` letters or digits (codes such as "BZE" match only exactly), and
   no other place within ``FUZZY_MARGIN`` points; near-equal scores are settled by the
   exact tiers (the town "Orange Walk" before its district), else the row is ambiguous.

   Why 87. Measured with this matcher on the shipped gazetteer: of 801 random single-edit
   typos of the 138 names (seeded; deletion, insertion, substitution, swap), 87 recovers
   the right place for 94 % of those that are not ambiguous by nature (the same name in
   several districts), 88 for 86 % (one wrong letter in an 8-letter name such as
   "Dangrega" scores 87.5), 90 for 81 %; none went to a wrong place. Of 90 real Belize
   localities *absent* from the gazetteer, 87 takes one for another place: "Conejo" for
   "Consejo" (92.3), which no cut-off below 92 avoids (give a district column, which
   filters candidates, or add the village with ``bco load-gazetteer``); 85 would also
   take "Santa Rita" for Santa Martha and "Rancho" for Ranchito. ``WRatio`` was
   rejected: it scores any word contained in a name at 90 ("Punta" -> Punta Gorda,
   "Duck Run" vs "Duck Run 3" at 95), so it cannot tell villages apart.
3. When the district column is given (a name, an ISO code like ``BZ-CY`` or forms like
   "Cayo District"), only places in that district are candidates. A name found only in
   another district is *not* moved there: it fails with ``unknown_place`` and says where
   the gazetteer has it. A row with no place but a district gets the district.

Failures carry ``reason_code`` ``unknown_place`` (with the nearest names as suggestions)
or ``ambiguous_place`` (the candidates with their districts). Matching is vectorised:
each distinct (place, district) pair is resolved once, the fuzzy scores of all distinct
names come from ``rapidfuzz.process.cdist`` (C++, in blocks of ``_FUZZY_CHUNK`` names),
and the results are mapped back to the rows (measured: 100k rows with 4,000 distinct
names against 6,000 places in 1.7 s on one core).

An online geocoder (Nominatim via geopy) may fill in names the gazetteer lacks; it is off
unless the deployment sets ``BCO_ONLINE_GEOCODER=nominatim`` (:func:`get_online_geocoder`).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
from django.core.exceptions import ImproperlyConfigured
from rapidfuzz import fuzz, process

METHOD_EXACT = "gazetteer-exact"
METHOD_FUZZY = "gazetteer-fuzzy"
UNKNOWN_PLACE = "unknown_place"
AMBIGUOUS_PLACE = "ambiguous_place"

#: Fuzzy acceptance (see the module docstring for how these were chosen).
FUZZY_CUTOFF = 87.0
FUZZY_MARGIN = 3.0
FUZZY_MIN_CHARS = 5
#: Near misses below this are not worth suggesting.
SUGGESTION_FLOOR = 60.0
MAX_SUGGESTIONS = 3

RESULT_COLUMNS = ("lon", "lat", "precision", "method", "score", "place_id", "reason_code", "reason_message")
ADD_PLACES_HINT = "or add the place with `bco load-gazetteer FILE.csv --source ...`"

_FOLD = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")
_ABBREVIATIONS = {
    "sta": "santa", "sto": "santo", "mt": "mount", "ft": "fort",
    "dist": "district", "distr": "district", "vlg": "village", "vill": "village",
}
_GENERIC_LAST_WORDS = frozenset({"town", "village", "city", "community"})


def normalise(name: object) -> str:
    """The comparable form of a place name: accents stripped, lower case, '&' as 'and',
    apostrophes dropped, other punctuation as spaces, initials joined ('P.G.' -> 'pg'),
    and the abbreviations clerks use expanded ('St.' -> 'saint' before a name, 'street'
    after one; 'Sta' -> 'santa'; 'Bze' -> 'belize' inside a longer name, while a lone
    'BZE' stays: it is GeoNames' code for Belize City). Idempotent; not a string -> ''.

    >>> normalise("  San Ignácio ")
    'san ignacio'
    >>> normalise("St. Matthew's")
    'saint matthews'
    >>> normalise("P.G.")
    'pg'
    >>> normalise("Independence & Mango Creek")
    'independence and mango creek'
    >>> normalise("Bze City"), normalise("BZE")
    ('belize city', 'bze')
    """
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKD", name.casefold().translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text.replace("&", " and "))
    tokens = _join_initials(_NON_WORD.sub(" ", text).split())
    return " ".join(_expand(tokens))


def _join_initials(tokens: list[str]) -> list[str]:
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        out.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if token:
            out.append(token)
    return out


def _expand(tokens: list[str]) -> list[str]:
    last = len(tokens) - 1
    out = []
    for i, token in enumerate(tokens):
        if token == "st":
            token = "street" if 0 < i == last else "saint"
        elif token == "bze" and last > 0:
            token = "belize"
        else:
            token = _ABBREVIATIONS.get(token, token)
        out.append(token)
    return out


def strip_generic(normalised: str) -> str:
    """``normalised`` without a trailing 'town', 'village', 'city' or 'community' ('' if
    there is none, or nothing would be left)."""
    head, _, last = normalised.rpartition(" ")
    return head if head and last in _GENERIC_LAST_WORDS else ""


def district_forms(name: str, code: str) -> list[str]:
    """The normalised spellings records use for a district: 'Cayo', 'Cayo District',
    'District of Cayo', 'BZ-CY' and the code's last part 'CY'.

    >>> district_forms("Orange Walk", "BZ-OW")
    ['bz ow', 'district of orange walk', 'orange walk', 'orange walk district', 'ow']
    """
    base = normalise(name)
    forms = {base, f"{base} district", f"district of {base}", normalise(code), normalise(code.rsplit("-", 1)[-1])}
    return sorted(f for f in forms if f)


def match_score(queries: Iterable[str], choices: Iterable[str]) -> np.ndarray:
    """Similarity 0-100 of every query to every choice: ``max(ratio, token_sort_ratio)``."""
    queries, choices = list(queries), list(choices)
    by_order = process.cdist(queries, choices, scorer=fuzz.ratio, dtype=np.float32)
    by_words = process.cdist(queries, choices, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    return np.maximum(by_order, by_words)


@dataclass(frozen=True)
class Match:
    """One geocoded point. ``score`` is 0-100 where the geocoder has one."""

    lon: float
    lat: float
    precision: str
    method: str
    score: float | None = None
    place_id: int | None = None
    label: str = ""


class Geocoder(Protocol):
    """Anything that turns a place name (and the district the record gives, if any) into a
    point, or None when it does not know the place."""

    def geocode(self, query: str, district: str | None) -> Match | None: ...


#: Nominatim result types -> the precision they are worth.
_NOMINATIM_PRECISION = {
    **dict.fromkeys(("state", "state_district", "county"), "district"),
    **dict.fromkeys(("road", "house", "building", "house_number", "street", "amenity", "shop"), "address"),
}


def nominatim_precision(raw: dict) -> str:
    """Precision of a Nominatim result from its ``addresstype`` (or ``type``): a district
    or county is 'district', a road or building 'address', anything else 'locality'."""
    kind = raw.get("addresstype") or raw.get("type") or ""
    return _NOMINATIM_PRECISION.get(kind, "locality")


class GeopyGeocoder:
    """OpenStreetMap's Nominatim through geopy, restricted to Belize.

    The public Nominatim's usage policy asks for a real user agent, at most one request a
    second, and caching: this class rate-limits (``min_delay_seconds``) and remembers
    every answer for its lifetime. geopy is imported here, not at module load, so it is
    needed only by deployments that turn this on.
    """

    method = "nominatim"

    def __init__(
        self, *, user_agent: str, domain: str = "nominatim.openstreetmap.org",
        min_delay_seconds: float = 1.0, timeout: float = 10.0,
    ) -> None:
        try:
            from geopy.extra.rate_limiter import RateLimiter
            from geopy.geocoders import Nominatim
        except ImportError:
            raise ImproperlyConfigured(
                "BCO_ONLINE_GEOCODER=nominatim needs geopy: `pip install geopy`, or unset BCO_ONLINE_GEOCODER"
            ) from None
        client = Nominatim(user_agent=user_agent, domain=domain, timeout=timeout)
        self._geocode = RateLimiter(client.geocode, min_delay_seconds=min_delay_seconds)
        self._cache: dict[tuple[str, str | None], Match | None] = {}

    def geocode(self, query: str, district: str | None) -> Match | None:
        key = (query, district)
        if key not in self._cache:
            text = ", ".join(part for part in (query, district, "Belize") if part)
            found = self._geocode(text, exactly_one=True, country_codes="bz")
            self._cache[key] = None if found is None else Match(
                lon=float(found.longitude), lat=float(found.latitude), precision=nominatim_precision(found.raw),
                method=self.method, label=found.address,
            )
        return self._cache[key]


def get_online_geocoder() -> Geocoder | None:
    """The online fallback the deployment configured, or None (the default: off).

    Read at call time from ``BCO_ONLINE_GEOCODER`` ('nominatim', or unset/'off') and
    ``BCO_ONLINE_GEOCODER_USER_AGENT``; a half-made configuration raises
    ImproperlyConfigured saying what to set.
    """
    name = os.environ.get("BCO_ONLINE_GEOCODER", "").strip().lower()
    if name in {"", "off", "none"}:
        return None
    if name != "nominatim":
        raise ImproperlyConfigured(
            f"BCO_ONLINE_GEOCODER={name!r} is not a known geocoder: set it to 'nominatim' or leave it unset (off)"
        )
    agent = os.environ.get("BCO_ONLINE_GEOCODER_USER_AGENT", "").strip()
    if not agent:
        raise ImproperlyConfigured(
            "BCO_ONLINE_GEOCODER=nominatim needs BCO_ONLINE_GEOCODER_USER_AGENT: an application name with a "
            "contact address, as the Nominatim usage policy requires"
        )
    return GeopyGeocoder(user_agent=agent)


_REQUIRED = ("place_id", "name", "kind", "district", "lon", "lat")
#: Fuzzy scores are computed for this many distinct names at a time, to bound memory.
_FUZZY_CHUNK = 1000


@dataclass(frozen=True)
class _Outcome:
    """The result for one distinct (place, district) pair; ``detail`` follows the quoted
    place name in the row's message."""

    lon: float = np.nan
    lat: float = np.nan
    precision: str | None = None
    method: str | None = None
    score: float = np.nan
    place_id: object = None
    reason: str | None = None
    detail: str = ""


class Gazetteer:
    """Match place names against a fixed set of places (see the module docstring).

    Build it once per import with :meth:`from_db`, or from a DataFrame (pure; tests, other
    sources) with columns ``place_id, name, kind, district, lon, lat`` and optionally
    ``alternate_names`` (lists of strings), ``precision`` (else 'district' for kind
    'district', 'locality' otherwise) and ``district_name``. ``district`` is the district's
    code (``BZ-CY``); a row of kind 'district' is the district itself.

    ``fallback``, if given, is asked about names the gazetteer does not know (never about
    ambiguous ones: those need a person), once per distinct name; an importer passes
    ``Gazetteer.from_db(fallback=get_online_geocoder())``, which is None unless configured.
    """

    def __init__(self, places: pd.DataFrame, *, fallback: Geocoder | None = None) -> None:
        missing = [c for c in _REQUIRED if c not in places.columns]
        if missing:
            raise ValueError(f"the places frame lacks column(s) {missing}; it needs {list(_REQUIRED)}")
        if places.empty:
            raise ValueError("the gazetteer has no places: load some with `bco load-gazetteer --belize`")
        frame = places.reset_index(drop=True)
        self._fallback = fallback
        self._place_id = frame["place_id"].to_numpy(object)
        self._name = frame["name"].astype(str).to_numpy(object)
        self._district = frame["district"].astype(str).to_numpy(object)
        self._lon = frame["lon"].to_numpy(float)
        self._lat = frame["lat"].to_numpy(float)
        self._is_district = (frame["kind"] == "district").to_numpy()
        self._precision = (
            frame["precision"].to_numpy(object) if "precision" in frame
            else np.where(self._is_district, "district", "locality").astype(object)
        )
        self._district_names = dict(zip(self._district, frame.get("district_name", frame["district"]).astype(str)))
        self._district_names.update(zip(self._district[self._is_district], self._name[self._is_district]))
        self._build_index(frame.get("alternate_names"))

    def __len__(self) -> int:
        return len(self._name)

    @classmethod
    def from_db(cls, *, fallback: Geocoder | None = None) -> Gazetteer:
        """The gazetteer as stored in the ``Place`` table (one query)."""
        from django.db.models import F, FloatField, Func

        from .models import Place

        def coordinate(function: str) -> Func:
            return Func(F("point"), function=function, output_field=FloatField())

        rows = Place.objects.annotate(lon=coordinate("ST_X"), lat=coordinate("ST_Y")).values_list(
            "id", "name", "kind", "district__code", "district__name", "alternate_names", "precision", "lon", "lat"
        )
        frame = pd.DataFrame.from_records(
            list(rows),
            columns=["place_id", "name", "kind", "district", "district_name", "alternate_names", "precision", "lon", "lat"],
        )
        if frame.empty:
            raise RuntimeError(
                "the gazetteer is empty: run `bco load-boundaries --belize` and `bco load-gazetteer --belize` first"
            )
        return cls(frame, fallback=fallback)

    # ------------------------------------------------------------------ index

    def _build_index(self, alternate_names: pd.Series | None) -> None:
        norm = [normalise(n) for n in self._name]
        nameless = [self._name[r] for r, text in enumerate(norm) if not text]
        if nameless:
            raise ValueError(f"place name(s) with no letters or digits: {nameless[:5]}; fix or remove them")
        primary: dict[str, list[int]] = {}
        district: dict[str, list[int]] = {}
        alternate: dict[str, list[int]] = {}
        lookup: dict[str, str] = {}
        for r, text in enumerate(norm):
            given = alternate_names.iloc[r] if alternate_names is not None else None
            others = {normalise(a) for a in (given if isinstance(given, list | tuple | np.ndarray) else ())} - {""}
            if self._is_district[r]:
                for form in {text, *others, *district_forms(self._name[r], self._district[r])}:
                    district.setdefault(form, []).append(r)
                    lookup[form] = self._district[r]
            else:
                primary.setdefault(text, []).append(r)
                for form in others - {text}:
                    alternate.setdefault(form, []).append(r)
        for code in set(self._district):
            for form in (normalise(code), normalise(code.rsplit("-", 1)[-1])):
                lookup.setdefault(form, code)
        self._tiers = (primary, district, alternate)
        self._district_lookup = lookup
        self._in_district = {code: np.flatnonzero(self._district == code) for code in set(self._district)}
        # Every name a place answers to, grouped by place (for one reduceat per query), with
        # its tier (0 main name, 1 district spelling, 2 alternate).
        named = sorted({(r, t, text) for t, tier in enumerate(self._tiers) for text, rows in tier.items() for r in rows})
        self._choices = [text for *_, text in named]
        self._choice_owner = np.array([r for r, *_ in named])
        self._choice_tier = np.array([t for _, t, _ in named], dtype=np.int8)
        self._choice_starts = np.searchsorted(self._choice_owner, np.arange(len(norm)))

    # ------------------------------------------------------------------ matching

    def match(self, places: pd.Series, districts: pd.Series | None = None) -> pd.DataFrame:
        """Geocode every value of ``places`` (optionally with the district each row gives).

        Returns a DataFrame indexed like ``places`` with columns ``lon, lat, precision,
        method, score, place_id, reason_code, reason_message``; a row that matched has no
        reason, a row that did not has no point. The result does not depend on row order.
        """
        if not isinstance(places, pd.Series):
            raise TypeError(f"places must be a pandas Series, not {type(places).__name__}")
        if districts is not None:
            if not isinstance(districts, pd.Series):
                raise TypeError(f"districts must be a pandas Series or None, not {type(districts).__name__}")
            if not districts.index.equals(places.index):
                raise ValueError("districts must have the same index as places: one district value per place value")
        rows, names = _distinct(places)
        place_text = np.array([normalise(v) for v in names] + [""], dtype=object)[rows]
        if districts is None:
            code = unrecognised = np.full(len(places), "", dtype=object)
        else:
            rows, names = _distinct(districts)
            resolved = [self._resolve_district(v) for v in names] + [("", "")]
            code = np.array([c for c, _ in resolved], dtype=object)[rows]
            unrecognised = np.array([u for _, u in resolved], dtype=object)[rows]
        keys = pd.DataFrame({"place": place_text, "district": code, "unrecognised": unrecognised})
        pair_of_row, pairs = pd.MultiIndex.from_frame(keys).factorize()
        outcomes = self._resolve_pairs(pairs.to_frame(index=False))
        if self._fallback is not None:
            outcomes = self._ask_fallback(outcomes, pair_of_row, places, districts)
        return self._assemble(outcomes, pair_of_row, places)

    def _resolve_district(self, value: object) -> tuple[str, str]:
        """(district code, '') when ``value`` names a district; ('', value) when it is given
        but not recognised; ('', '') when blank."""
        text = normalise(value)
        if not text:
            return "", ""
        code = self._district_lookup.get(text)
        if code is None and len(text.replace(" ", "")) >= FUZZY_MIN_CHARS:
            forms = list(self._district_lookup)
            scores = match_score([text], forms)[0]
            best = float(scores.max())
            close = {self._district_lookup[f] for f, s in zip(forms, scores) if s >= max(FUZZY_CUTOFF, best - FUZZY_MARGIN)}
            code = close.pop() if len(close) == 1 else None
        return (code, "") if code else ("", str(value).strip())

    def _resolve_pairs(self, pairs: pd.DataFrame) -> list[_Outcome]:
        outcomes: list[_Outcome | None] = [None] * len(pairs)
        pending: list[tuple[int, str, str, str, set[int]]] = []
        for i, (query, code, unrecognised) in enumerate(pairs.itertuples(index=False, name=None)):
            if not query:
                outcomes[i] = self._district_only(code, unrecognised)
                continue
            rows, elsewhere = self._exact(query, code)
            if len(rows) == 1:
                outcomes[i] = self._hit(rows[0], METHOD_EXACT, 100.0)
            elif rows:
                outcomes[i] = self._ambiguous(rows, None, code, unrecognised)
            else:
                pending.append((i, query, code, unrecognised, elsewhere))
        queries = sorted({query for _, query, *_ in pending})
        position = {query: k for k, query in enumerate(queries)}
        scores, tiers = self._place_scores(queries)
        for i, query, code, unrecognised, elsewhere in pending:
            k = position[query]
            outcomes[i] = self._fuzzy(query, scores[k], tiers[k], code, unrecognised, elsewhere)
        return outcomes  # type: ignore[return-value]

    def _place_scores(self, queries: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per query and place: the best score of any of the place's names, and the tier of
        the name that reached it (the lowest tier on a tie)."""
        scores = np.empty((len(queries), len(self._name)), dtype=np.float32)
        tiers = np.empty((len(queries), len(self._name)), dtype=np.int8)
        for start in range(0, len(queries), _FUZZY_CHUNK):
            block = match_score(queries[start:start + _FUZZY_CHUNK], self._choices)
            best = np.maximum.reduceat(block, self._choice_starts, axis=1)
            reached = np.where(block >= best[:, self._choice_owner], self._choice_tier, np.int8(len(self._tiers)))
            scores[start:start + len(block)] = best
            tiers[start:start + len(block)] = np.minimum.reduceat(reached, self._choice_starts, axis=1)
        return scores, tiers

    def _exact(self, query: str, code: str) -> tuple[list[int], set[int]]:
        """Rows matching ``query`` exactly in the first tier that has any in the district
        (all districts when ``code`` is ''), and the rows it matched elsewhere."""
        primary, district, alternate = self._tiers
        lookups = [(primary, query), (district, query), (alternate, query)]
        if stripped := strip_generic(query):
            lookups += [(primary, stripped), (alternate, stripped)]
        elsewhere: set[int] = set()
        for tier, text in lookups:
            rows = tier.get(text, ())
            inside = sorted({r for r in rows if not code or self._district[r] == code})
            if inside:
                return inside, elsewhere
            elsewhere.update(rows)
        return [], elsewhere

    def _fuzzy(
        self, query: str, scores: np.ndarray, tiers: np.ndarray, code: str, unrecognised: str, elsewhere: set[int]
    ) -> _Outcome:
        candidates = self._in_district.get(code, np.empty(0, dtype=int)) if code else np.arange(len(self._name))
        found = scores[candidates]
        best = float(found.max()) if len(found) else 0.0
        if best >= FUZZY_CUTOFF and len(query.replace(" ", "")) >= FUZZY_MIN_CHARS:
            close = candidates[found >= max(FUZZY_CUTOFF, best - FUZZY_MARGIN)].tolist()
            # Near-equal scores are settled by the tiers of exact matching: the town
            # "Orange Walk" before its district, the district "Stann Creek" before
            # Dangriga's old name.
            top_tier = min(tiers[r] for r in close)
            close = [r for r in close if tiers[r] == top_tier]
            if len(close) == 1:
                return self._hit(close[0], METHOD_FUZZY, round(float(scores[close[0]]), 1))
            return self._ambiguous(close, scores, code, unrecognised)
        nearest = candidates[found >= SUGGESTION_FLOOR]
        near = sorted(nearest.tolist(), key=lambda r: (-scores[r], self._label(r)))[:MAX_SUGGESTIONS]
        return self._unknown(code, unrecognised, elsewhere, near, scores)

    def _district_only(self, code: str, unrecognised: str) -> _Outcome:
        rows = [r for r in np.flatnonzero(self._is_district) if self._district[r] == code] if code else []
        if rows:
            return self._hit(rows[0], METHOD_EXACT, 100.0)
        detail = "no place name given"
        if unrecognised:
            detail += f", and the district {unrecognised!r} was not recognised"
        return _Outcome(reason=UNKNOWN_PLACE, detail=detail + ": fill the place or district column")

    # ------------------------------------------------------------------ outcomes

    def _label(self, r: int) -> str:
        if self._is_district[r]:
            return f"{self._name[r]} District"
        return f"{self._name[r]} ({self._district_names.get(self._district[r], self._district[r])} District)"

    def _hit(self, r: int, method: str, score: float) -> _Outcome:
        return _Outcome(
            lon=self._lon[r], lat=self._lat[r], precision=self._precision[r], method=method, score=score,
            place_id=self._place_id[r],
        )

    def _ambiguous(self, rows: list[int], scores: np.ndarray | None, code: str, unrecognised: str) -> _Outcome:
        rows = sorted(rows, key=self._label)
        listing = ", ".join(self._label(r) + ("" if scores is None else f" {scores[r]:.0f}") for r in rows)
        how = "matches" if scores is None else "is about as close to"
        detail = f"{how} {len(rows)} places: {listing}; "
        if code or len({self._district[r] for r in rows}) == 1:
            detail += "correct the place name"
        elif unrecognised:
            detail += f"the district {unrecognised!r} was not recognised: give one such as 'Cayo' or 'BZ-CY'"
        else:
            detail += "fill the district column to choose one"
        return _Outcome(reason=AMBIGUOUS_PLACE, detail=detail)

    def _unknown(
        self, code: str, unrecognised: str, elsewhere: set[int], near: list[int], scores: np.ndarray
    ) -> _Outcome:
        district = f" in {self._district_names.get(code, code)} District" if code else ""
        parts = [f"is not in the gazetteer{district}"]
        if elsewhere:
            parts.append("it has " + ", ".join(sorted(self._label(r) for r in elsewhere)))
        if unrecognised:
            parts.append(f"the district {unrecognised!r} was not recognised (give one such as 'Cayo' or 'BZ-CY')")
        if near:
            parts.append("nearest names: " + ", ".join(f"{self._label(r)} {scores[r]:.0f}" for r in near))
        parts.append(f"correct the spelling {ADD_PLACES_HINT}")
        return _Outcome(reason=UNKNOWN_PLACE, detail="; ".join(parts))

    def _ask_fallback(
        self, outcomes: list[_Outcome], pair_of_row: np.ndarray, places: pd.Series, districts: pd.Series | None
    ) -> list[_Outcome]:
        """Ask the online geocoder once per unknown pair, with the pair's first spelling in
        sorted order (so the answer does not depend on row order)."""
        unknown = [i for i, o in enumerate(outcomes) if o.reason == UNKNOWN_PLACE]
        if not unknown:
            return outcomes
        raw = pd.DataFrame({
            "pair": pair_of_row,
            "place": places.fillna("").astype(str).str.strip().to_numpy(),
            "district": "" if districts is None else districts.fillna("").astype(str).str.strip().to_numpy(),
        })
        first = raw[raw["pair"].isin(unknown) & (raw["place"] != "")].groupby("pair").min()
        for pair, (place, district) in first.iterrows():
            found = self._fallback.geocode(place, district or None)  # type: ignore[union-attr]
            if found is not None:
                outcomes[pair] = _Outcome(
                    lon=found.lon, lat=found.lat, precision=found.precision, method=found.method,
                    score=np.nan if found.score is None else found.score, place_id=found.place_id,
                )
        return outcomes

    @staticmethod
    def _assemble(outcomes: list[_Outcome], pair_of_row: np.ndarray, places: pd.Series) -> pd.DataFrame:
        def column(name: str, dtype=object) -> pd.Series:
            # Text columns stay ``object`` with None for "no value" (pandas 3 would otherwise
            # infer its string dtype for some results and not others).
            values = np.array([getattr(o, name) for o in outcomes], dtype=object if dtype == "Int64" else dtype)
            return pd.Series(values[pair_of_row], index=places.index, dtype=dtype)

        result = pd.DataFrame(
            {
                "lon": column("lon", float),
                "lat": column("lat", float),
                "precision": column("precision"),
                "method": column("method"),
                "score": column("score", float),
                "place_id": column("place_id", "Int64"),
                "reason_code": column("reason"),
            }
        )
        # Messages quote each row's own spelling: build one per distinct (spelling, pair).
        failed = result["reason_code"].notna().to_numpy()
        messages = np.full(len(result), None, dtype=object)
        if failed.any():
            spelled = places.fillna("").astype(str).str.strip().to_numpy(object)[failed]
            combo_of_row, combos = pd.MultiIndex.from_arrays([spelled, pair_of_row[failed]]).factorize()
            texts = np.array(
                [(f"place {text!r} " if text else "") + outcomes[pair].detail for text, pair in combos], dtype=object
            )
            messages[failed] = texts[combo_of_row]
        result["reason_message"] = pd.Series(messages, index=result.index, dtype=object)
        return result


def _distinct(values: pd.Series) -> tuple[np.ndarray, list]:
    """(code of each row, distinct values): so each distinct value is worked on once.
    Missing values get code -1, i.e. the last element of an array built as
    ``[f(v) for v in distinct] + [value_for_missing]``."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, list(uniques)
