"""pygeoapi provider bound to Django's database connection."""

from __future__ import annotations

from django.db import connections
from pygeoapi.provider.base import ProviderInvalidQueryError
from pygeoapi.provider.sql import GenericSQLProvider, PostgreSQLProvider
from sqlalchemy import and_, cast

from .config import connection_params


class DjangoPostgreSQLProvider(PostgreSQLProvider):
    """pygeoapi's PostgreSQL provider, on psycopg 3 and Django's live connection settings.

    Two differences from the built-in provider, both deliberate:

    * it talks to PostgreSQL through psycopg 3 (SQLAlchemy's ``postgresql+psycopg``),
      the driver the rest of the project uses, instead of requiring psycopg2;
    * property filters (``?run_id=5``) are cast to the column's type: pygeoapi passes
      them as text, which psycopg 3 binds as ``varchar`` (psycopg2 sent untyped
      literals), and PostgreSQL has no ``bigint = varchar`` operator;
    * it reads the connection parameters from ``django.db.connections['default']``
      when it is built, so the OGC API always reads the database the site itself uses
      (including the test database that pytest-django switches to).
    """

    def __init__(self, provider_def: dict):
        live = connection_params(connections["default"].settings_dict)
        provider_def = {**provider_def, "data": live}
        GenericSQLProvider.__init__(
            self,
            provider_def,
            "postgresql+psycopg",
            {"client_encoding": "utf8", "application_name": "geo-bco-ogcapi"},
        )

    def _get_property_filters(self, properties):
        if not properties:
            return True
        clauses = []
        for column_name, value in properties:
            column = getattr(self.table_model, column_name)
            try:
                typed = column.type.python_type(value) if column.type.python_type in (int, float) else value
            except ValueError:
                raise ProviderInvalidQueryError(f"{column_name}={value!r}: expected a number") from None
            clauses.append(column == cast(typed, column.type))
        return and_(*clauses)
