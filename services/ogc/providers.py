"""pygeoapi providers over the public tables, bound to Django's database connection.

``DjangoPostgreSQLProvider`` is pygeoapi's PostgreSQL provider made correct for
psycopg 3 and hostile input; ``FastPostgreSQLProvider`` adds what a national
collection needs (cached counts, keyset pages). Both raise pygeoapi's
``Provider*Error`` classes, which pygeoapi turns into OGC exception bodies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
from collections.abc import Iterator

import shapely.geometry
import shapely.validation
from pygeofilter.ast import Attribute
from pygeofilter.values import Geometry
from pygeoapi.crs import DEFAULT_STORAGE_CRS, get_srid, get_transform_from_spec
from pygeoapi.provider.base import ProviderInvalidQueryError, ProviderItemNotFoundError
from pygeoapi.provider.sql import GenericSQLProvider, PostgreSQLProvider
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, Numeric, and_, cast, func, select, true
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from ..public_cache import cached
from ..reading import geometry_type, read_connection
from .config import connection_params
from .paging import keyset_page

#: PostgreSQL bigint bounds: larger integers in a filter are a client error, not an overflow.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1

#: A filtered ``numberMatched`` is counted exactly up to this many rows, else omitted.
EXACT_COUNT_CAP = 100_000


@functools.cache
def storage_srid(crs_uri: str) -> int:
    """The SRID of a CRS URI (pyproj's look-up costs ~8 ms: done once per URI)."""
    return get_srid(crs_uri)


def invalid(parameter: str, problem: str) -> ProviderInvalidQueryError:
    """A 400 whose OGC exception body names the parameter."""
    return ProviderInvalidQueryError(user_msg=f"{parameter}: {problem}")


def parse_instant(text: str, column_type, parameter: str):
    """``text`` as a value of ``column_type`` (a date or a timestamp), or a 400."""
    try:
        if isinstance(column_type, DateTime):
            value = dt.datetime.fromisoformat(text.replace("z", "Z"))
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if "T" in text or "t" in text:
            return dt.datetime.fromisoformat(text).date()
        return dt.date.fromisoformat(text)
    except ValueError:
        raise invalid(parameter, f"{text!r} is not an RFC 3339 date or date-time") from None


@contextlib.contextmanager
def data_errors_are_client_errors() -> Iterator[None]:
    """SQLSTATE class 22 (data exception): a value from the request PostgreSQL cannot use, a 400."""
    try:
        yield
    except DataError as exc:
        raise invalid("query", str(exc.orig).splitlines()[0]) from None


def typed_value(column, value: str, parameter: str):
    """A query-string value converted to ``column``'s type, or a 400 naming ``parameter``."""
    if "\x00" in value:
        raise invalid(parameter, "contains a NUL character")
    kind = column.type
    if isinstance(kind, Boolean):
        truth = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(value.strip().lower())
        if truth is None:
            raise invalid(parameter, f"expected true or false, got {value!r}")
        return truth
    if isinstance(kind, Integer):
        try:
            number = int(value)
        except ValueError:
            raise invalid(parameter, f"expected an integer, got {value!r}") from None
        if not BIGINT_MIN <= number <= BIGINT_MAX:
            raise invalid(parameter, f"{number} is out of range")
        return number
    if isinstance(kind, (Float, Numeric)):
        try:
            number = float(value)
        except ValueError:
            raise invalid(parameter, f"expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise invalid(parameter, f"expected a finite number, got {value!r}")
        return number
    if isinstance(kind, (Date, DateTime)):
        return parse_instant(value, kind, parameter)
    return value


def prepare_filter(node, columns: set[str], srid: int) -> None:
    """Check a parsed CQL2 filter and make its geometries PostGIS-ready, in place.

    pygeofilter quietly compiles an unknown property to a constant, and PostGIS answers
    an unclosed ring or a self-intersecting polygon with an internal error: both are
    the client's mistake (400). pygeoapi labels filter geometries with the storage
    CRS's URI, which pygeofilter turns into ``SRID=<URI>``; they are relabelled with
    the storage SRID.
    """
    if isinstance(node, Attribute):
        if node.name not in columns:
            raise invalid("filter", f"unknown property {node.name!r}; see the collection's queryables")
    elif isinstance(node, Geometry):
        try:
            geometry = shapely.geometry.shape(node.geometry)
        except (ValueError, TypeError, AttributeError) as exc:
            raise invalid("filter", f"invalid geometry ({exc})") from None
        if not geometry.is_valid:
            raise invalid("filter", f"invalid geometry ({shapely.validation.explain_validity(geometry)})")
        node.geometry["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
    elif isinstance(node, (list, tuple)):
        for child in node:
            prepare_filter(child, columns, srid)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            prepare_filter(getattr(node, name), columns, srid)


class DjangoPostgreSQLProvider(PostgreSQLProvider):
    """pygeoapi's PostgreSQL provider, on psycopg 3 and Django's live connection settings.

    Differences from the built-in provider, all deliberate:

    * it talks to PostgreSQL through psycopg 3 (SQLAlchemy's ``postgresql+psycopg``),
      the driver the rest of the project uses, instead of requiring psycopg2;
    * it reads the connection parameters from Django's connection when it is built
      (the read replica's when one is configured: ``services.reading``), so the OGC API
      always reads the database the site itself uses (including the test database that
      pytest-django switches to);
    * JIT compilation and parallel workers are off for its sessions: page queries are
      short, and their start-up costs (tens of ms for JIT, ~1 ms for workers) are paid on
      every plan PostgreSQL thinks is expensive;
    * every value from the query string (property filters, ``datetime``, ``bbox``, an
      item id) is converted to the column's type first and refused with a 400 naming
      the parameter when it does not fit: pygeoapi passes them as text, psycopg 3 binds
      text as ``varchar``, and PostgreSQL has no ``bigint = varchar`` operator;
    * an item is fetched with one query (no previous/next item look-ups).
    """

    def __init__(self, provider_def: dict):
        live = connection_params(read_connection().settings_dict)
        provider_def = {**provider_def, "data": live}
        GenericSQLProvider.__init__(
            self,
            provider_def,
            "postgresql+psycopg",
            {"client_encoding": "utf8", "application_name": "geo-bco-ogcapi",
             "options": "-c jit=off -c max_parallel_workers_per_gather=0"},
        )
        self.storage_srid = storage_srid(provider_def.get("storage_crs", DEFAULT_STORAGE_CRS))

    def _column(self, name: str):
        return getattr(self.table_model, name)

    def _get_property_filters(self, properties):
        if not properties:
            return true()
        return and_(
            *(self._column(name) == cast(typed_value(self._column(name), value, name), self._column(name).type)
              for name, value in properties)
        )

    def _get_datetime_filter(self, datetime_):
        if datetime_ in (None, "../..", "/", ".."):
            return true()
        if self.time_field is None:
            raise invalid("datetime", "this collection has no time; leave datetime out")
        column = self._column(self.time_field)
        if "/" not in datetime_:
            instant = parse_instant(datetime_, column.type, "datetime")
            if isinstance(column.type, DateTime) and isinstance(instant, dt.datetime) and "T" not in datetime_.upper():
                return column.between(instant, instant + dt.timedelta(days=1))
            return column == instant
        begin, _, end = datetime_.partition("/")
        clauses = []
        if begin not in ("", ".."):
            clauses.append(column >= parse_instant(begin, column.type, "datetime"))
        if end not in ("", ".."):
            clauses.append(column <= parse_instant(end, column.type, "datetime"))
        return and_(true(), *clauses)

    def _get_bbox_filter(self, bbox):
        if not bbox:
            return true()
        if len(bbox) == 6:  # minx,miny,minz,maxx,maxy,maxz: the data are 2D
            bbox = [bbox[0], bbox[1], bbox[3], bbox[4]]
        if not all(math.isfinite(v) for v in bbox):
            raise invalid("bbox", "every coordinate must be a finite number")
        # pygeoapi's own looks the storage SRID up with pyproj on every request (~20 ms for CRS84)
        envelope, column = func.ST_MakeEnvelope(*bbox, self.storage_srid), self._column(self.geom)
        if geometry_type(self.table, self.geom) == "POINT":
            # a point is in a box exactly when the boxes overlap: ``&&``, which the GIST index
            # answers, without ST_Intersects' exact test of every candidate row
            return envelope.op("&&")(column)
        return func.ST_Intersects(envelope, column)

    def _get_cql_filters(self, filterq):
        if filterq:
            prepare_filter(filterq, set(self.table_model.__table__.columns.keys()), self.storage_srid)
        try:
            return super()._get_cql_filters(filterq)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise invalid("filter", f"cannot be applied to this collection ({exc})") from None

    def _typed_id(self, identifier):
        column = self._column(self.id_field)
        try:
            return typed_value(column, str(identifier), "featureId")
        except ProviderInvalidQueryError:
            raise ProviderItemNotFoundError(user_msg=f"No such item: {identifier}") from None

    def get(self, identifier, crs_transform_spec=None, **kwargs):
        """One item by id, in one query (404 for an id that cannot exist)."""
        with Session(self._engine) as session:
            item = session.get(self.table_model, self._typed_id(identifier))
            if item is None:
                raise ProviderItemNotFoundError(user_msg=f"No such item: {identifier}")
            return self._sqlalchemy_to_feature(item, get_transform_from_spec(crs_transform_spec))

    def query(self, *args, **kwargs):
        with data_errors_are_client_errors():
            return super().query(*args, **kwargs)


class FastPostgreSQLProvider(DjangoPostgreSQLProvider):
    """The provider the service runs: one query per page, at any depth.

    * ``numberMatched`` of an unfiltered request comes from a per-collection count
      cached in ``services.public_cache`` (retired by ``invalidate()`` after imports
      and runs); a filtered request is counted exactly up to ``EXACT_COUNT_CAP`` rows
      and the figure is omitted above that (OGC API - Features allows omitting it).
      Pages reached by a ``next`` link omit it too: it belongs to the first page.
    * pages sorted by id (no ``sortby``) link to the next one by keyset
      (``after=<last id>``, see ``services.ogc.paging``), so the last page of a
      million-row collection costs what the first does; OFFSET still works.
    """

    def _count(self, session: Session, where) -> int | None:
        query = select(func.count()).select_from(
            select(self._column(self.id_field)).where(*where).limit(EXACT_COUNT_CAP + 1).subquery()
        )
        matched = session.execute(query).scalar_one()
        return matched if matched <= EXACT_COUNT_CAP else None

    def _features_as_geojson(self, session, where, order, offset, limit, select_properties, skip_geometry):
        """One page as GeoJSON features, the geometry written by PostGIS (``ST_AsGeoJSON``).

        pygeoapi's own path turns each row's WKB into a shapely object and back into
        a mapping, which costs more than the query on a 1000-feature page.
        """
        names = list(dict.fromkeys(select_properties)) if select_properties else list(self.fields)
        columns = [self._column(name) for name in names]
        if not skip_geometry:
            columns.append(cast(func.ST_AsGeoJSON(self._column(self.geom)), JSON).label("geojson_geometry_"))
        columns.append(self._column(self.id_field).label("feature_id_"))
        rows = session.execute(select(*columns).where(*where).order_by(*order).offset(offset).limit(limit))
        return [
            {"type": "Feature", "id": row.feature_id_, "properties": {name: row[i] for i, name in enumerate(names)},
             "geometry": None if skip_geometry else row.geojson_geometry_}
            for row in rows
        ]

    def _total(self, session: Session) -> int:
        return cached(
            f"ogc-count:{self.table}",
            lambda: session.execute(select(func.count()).select_from(self.table_model)).scalar_one(),
        )

    def query(self, offset=0, limit=10, resulttype="results", bbox=[], datetime_=None, properties=[],  # noqa: B006
              sortby=[], select_properties=[], skip_geometry=False, q=None, filterq=None,  # noqa: B006
              crs_transform_spec=None, **kwargs):
        if not 0 <= offset <= BIGINT_MAX:
            raise invalid("offset", f"{offset} is out of range")
        where = [
            self._get_property_filters(properties),
            self._get_cql_filters(filterq),
            self._get_bbox_filter(bbox),
            self._get_datetime_filter(datetime_),
        ]
        filtered = bool(properties or filterq or bbox or datetime_ not in (None, "../.."))
        page = keyset_page()
        id_column = self._column(self.id_field)
        keyset = page is not None and not sortby
        if keyset and page.after is not None:
            where.append(id_column > typed_value(id_column, page.after, "after"))
        response = {"type": "FeatureCollection", "features": [], "numberReturned": 0}
        with data_errors_are_client_errors(), Session(self._engine) as session:
            if page is None or page.after is None:
                matched = self._count(session, where) if filtered else self._total(session)
                if matched is not None:
                    response["numberMatched"] = matched
            if resulttype == "hits":
                return response
            order = self._get_order_by_clauses(sortby, self.table_model)
            if crs_transform_spec is None:
                response["features"] = self._features_as_geojson(
                    session, where, order, offset, limit, select_properties, skip_geometry)
            else:  # reprojection (and axis order) exactly as pygeoapi does it
                rows = (
                    session.query(self.table_model).filter(*where)
                    .options(self._select_properties_clause(select_properties, skip_geometry))
                    .order_by(*order).offset(offset).limit(limit)
                )
                transform = get_transform_from_spec(crs_transform_spec)
                response["features"] = [self._sqlalchemy_to_feature(r, transform, select_properties) for r in rows]
        response["numberReturned"] = len(response["features"])
        if keyset and page is not None and response["numberReturned"] == limit:
            response["links"] = [page.next_link(response["features"][-1]["id"])]
        return response
