"""pygeoapi provider bound to Django's database connection."""

from __future__ import annotations

from django.db import connections
from pygeoapi.provider.sql import GenericSQLProvider, PostgreSQLProvider

from .config import connection_params


class DjangoPostgreSQLProvider(PostgreSQLProvider):
    """pygeoapi's PostgreSQL provider, on psycopg 3 and Django's live connection settings.

    Two differences from the built-in provider, both deliberate:

    * it talks to PostgreSQL through psycopg 3 (SQLAlchemy's ``postgresql+psycopg``),
      the driver the rest of the project uses, instead of requiring psycopg2;
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
