"""Django settings, all from environment variables with safe defaults.

Safe by default: ``DEBUG`` is off unless ``DEBUG=1`` (a debug page shows settings and
the server's environment, ``DATABASE_URL`` included, to anyone); the signing key comes
from ``SECRET_KEY`` or is generated once into ``var/`` (geo_bco/secret_key.py), never
from the repository; ``BCO_HTTPS=1`` turns on secure cookies, HSTS and the HTTPS
redirect for a deployment behind TLS.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from geo_bco.secret_key import load_or_create_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_number(name: str, default: float, kind: type = float):
    """``kind(os.environ[name])``, or ``default`` when unset; a clear error naming the variable otherwise."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a {'whole ' if kind is int else ''}number") from None


DEBUG = env_bool("DEBUG", False)

#: Run-time files (generated configs, the generated secret key, uploads): never in git.
VAR_DIR = Path(os.environ.get("BCO_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY") or load_or_create_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

#: Where the service is reached from outside; pygeoapi writes it into every link.
PUBLIC_URL = os.environ.get("BCO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

#: Connections each process keeps in its pool (psycopg_pool), at most: a gunicorn worker
#: or a threaded server never holds more, so WEB_CONCURRENCY x BCO_DB_POOL_SIZE bounds
#: the web tier's share of PostgreSQL's max_connections. 0 turns pooling off.
DB_POOL_SIZE = env_number("BCO_DB_POOL_SIZE", 4, int)
#: Seconds a request waits for a free pooled connection before failing.
DB_POOL_TIMEOUT = env_number("BCO_DB_POOL_TIMEOUT", 10)


def database(url: str) -> dict:
    """A DATABASES entry for ``url``: PostGIS, pooled when BCO_DB_POOL_SIZE > 0."""
    entry = dj_database_url.parse(
        url,
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=0 if DB_POOL_SIZE else 60,  # Django's pool replaces persistent connections
        # a connection is checked before it is handed out (the pool's check=ConnectionPool.check_connection):
        # after PostgreSQL restarts, dead pooled connections are discarded instead of failing a request
        conn_health_checks=True,
    )
    if DB_POOL_SIZE:
        entry.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": DB_POOL_SIZE, "timeout": DB_POOL_TIMEOUT}
    return entry


DATABASES = {"default": database(os.environ.get("DATABASE_URL", "postgres://geo_bco:geo_bco@127.0.0.1:5432/geo_bco"))}
#: A read replica (PostgreSQL streaming replication, or any copy kept current): what the
#: public and analysts' read endpoints serve (services/reading.py). Writes, sign-in, the
#: audit trail, the cache and the rate limiter stay on the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(os.environ["DATABASE_REPLICA_URL"]) | {"TEST": {"MIRROR": "default"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "procrastinate.contrib.django",
    "boundaries",
    "geo_bco",
    "services",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # serves collected static files (MapLibre, map.js) and pygeoapi's in every mode: no separate web server needed
    "services.static_files.StaticFiles",
    "services.ratelimit.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # Accept-Language, or the language chosen in the page
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "services.access.PrivateAnswers",  # answers behind a role: stored by no cache
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "services.urls"
WSGI_APPLICATION = "geo_bco.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en"
#: The pages, the map, the bulletin and the layer descriptions in English and Spanish
#: (catalogues in services/locale/, compiled by `bco compilemessages` in setup.sh).
LANGUAGES = [("en", "English"), ("es", "Español")]
USE_I18N = True
#: First, so that our words win over the admin's ("Change" is a verb there, a noun in our tables).
LOCALE_PATHS = [BASE_DIR / "services" / "locale"]
TIME_ZONE = "America/Belize"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
#: Front-end libraries come from npm (package.json) and are served as local assets: no CDN.
#: MapLibre GL JS draws the web map; the vendor/ ones are those pygeoapi's HTML pages link
#: (services/ogc/vendored.py points the pages at them).
_NPM = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("maplibre-gl", _NPM / "maplibre-gl" / "dist"),
    ("vendor/bootstrap", _NPM / "bootstrap" / "dist"),
    ("vendor/leaflet", _NPM / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", _NPM / "leaflet.markercluster" / "dist"),
    ("vendor/leaflet-draw", _NPM / "leaflet-draw" / "dist"),
    ("vendor/swagger-ui-dist", _NPM / "swagger-ui-dist"),
]

REST_FRAMEWORK = {
    # HTTP Basic or an API key (services/access.py; over HTTPS in production) for QGIS and scripts,
    # sessions for the browser. Basic first, so that an anonymous request is told how to sign in (401).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "services.api.authentication.BasicOrApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
}

#: Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial
#: reference strings; geo-bco builds SRS only from its own constants (4326, 32616).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- safe by default -----------------------------------------------------------
#: Behind TLS (a reverse proxy that sets X-Forwarded-Proto): cookies only over HTTPS,
#: HSTS, and plain-HTTP requests redirected. `bco check --deploy` is then clean.
HTTPS = env_bool("BCO_HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_number("BCO_HSTS_SECONDS", 31_536_000, int)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BCO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("BCO_HSTS_PRELOAD", True)
    CSRF_TRUSTED_ORIGINS = [PUBLIC_URL]
SESSION_COOKIE_HTTPONLY = True
AUTH_PASSWORD_VALIDATORS = [{"NAME": f"django.contrib.auth.password_validation.{name}"} for name in (
    "UserAttributeSimilarityValidator", "MinimumLengthValidator", "CommonPasswordValidator", "NumericPasswordValidator")]
X_FRAME_OPTIONS = "DENY"

#: Request bodies Django holds in memory: form fields (not files) and a file before it spills to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
#: Largest police export POST /api/imports/ accepts, in megabytes (larger: 413). `bco import` has no limit.
MAX_IMPORT_UPLOAD_MB = env_number("BCO_MAX_IMPORT_UPLOAD_MB", 200)

#: Per-client rate limit on /api/, /ogcapi/ and /tiles/ (services/ratelimit.py), as police.uk's:
#: requests per second on average, with bursts up to RATE_LIMIT_BURST. 0 turns it off.
RATE_LIMIT_PER_SECOND = env_number("BCO_RATE_LIMIT", 15)
RATE_LIMIT_BURST = env_number("BCO_RATE_LIMIT_BURST", 30, int)
RATE_LIMIT_PATHS = ("/api/", "/ogcapi/", "/tiles/")
#: Reverse proxies in front of the service that append to X-Forwarded-For: the client is the
#: address that many hops from the right. 0 (no proxy): the client is the socket's peer.
TRUSTED_PROXY_COUNT = env_number("BCO_TRUSTED_PROXY_COUNT", 0, int)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # pygeoapi's SQL provider warns "Unsupported column type DATE" for every date column each
    # time it loads (its type map has datetime, not date); it then describes the column as a
    # string with format "date", which is right, so the warning says nothing and filled the logs.
    "filters": {"pygeoapi_date_columns": {
        "()": "django.utils.log.CallbackFilter",
        "callback": lambda record: record.getMessage() != "Unsupported column type DATE"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["pygeoapi_date_columns"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- geo-bco domain settings -------------------------------------------------
#: Distance (m) a point may lie across the generalised 1:10M land border and still
#: count as in Belize (the sea side is covered by the 12 nm territorial sea).
BORDER_TOLERANCE_M = float(os.environ.get("BCO_BORDER_TOLERANCE_M", "1000"))
#: Distance (m) to the nearest district for points off the generalised coast (the
#: outline lacks small cayes: Caye Caulker is 4.6 km out).
DISTRICT_JOIN_TOLERANCE_M = float(os.environ.get("BCO_DISTRICT_JOIN_TOLERANCE_M", "5000"))

# --- pygeoapi, mounted at /ogcapi/ ------------------------------------------
# pygeoapi's Django views read PYGEOAPI_CONFIG, OPENAPI_DOCUMENT and API_RULES (see
# pygeoapi/django_/settings.py). The configuration lists a collection per layer kind,
# so it is built from the layer registry once the apps are loaded (ServicesConfig.ready).
PYGEOAPI_CONFIG: dict = {}
#: Generated lazily on the first /ogcapi/openapi request (services.ogc.views):
#: building it introspects the collections in the database, which settings must not do.
OPENAPI_DOCUMENT: dict = {}

#: One cache shared by every web worker and the CLI (OGC extents and counts, tiles):
#: PostgreSQL, so the web tier keeps no state and an import's invalidation reaches all.
#: Shared by every process and machine (an import's invalidation reaches them all at once);
#: room for the tiles of a national map (Django's default of 300 entries would cull them).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "bco_cache",
                      "OPTIONS": {"MAX_ENTRIES": 50_000}}}

# --- analysis refresh and the public rule --------------------------------------
#: Longest an analysis run may take (seconds): past it the run is stopped and recorded failed
#: (services/jobs/time_limit.py). 0 means no limit.
BCO_JOB_TIME_LIMIT_S = env_number("BCO_JOB_TIME_LIMIT_S", 3600)
#: Seconds a client is told to wait (Retry-After) when the database does not answer (503).
BCO_RETRY_AFTER_S = env_number("BCO_RETRY_AFTER_S", 5, int)
#: Layer kinds the standard refresh computes after every import (``bco refresh``).
BCO_REFRESH_METHODS = [m for m in os.environ.get("BCO_REFRESH_METHODS", "kde,hotspots,emerging,area-counts").split(",") if m]
#: Parameters of the standard runs, per method (JSON); the rest take each method's defaults.
#: Kernel density at neighbourhood scale: Esri's default radius is made for a smooth national picture.
BCO_REFRESH_PARAMETERS = json.loads(os.environ.get("BCO_REFRESH_PARAMETERS", '{"kde": {"bandwidth": 1000, "cell_size": 100}}'))
#: Also compute each of them once per (non-sensitive) offence category.
BCO_REFRESH_PER_CATEGORY = env_bool("BCO_REFRESH_PER_CATEGORY", True)
#: When the scheduler (`bco scheduler`) queues the standard refresh regardless of imports: cron syntax, UTC.
BCO_REFRESH_CRON = os.environ.get("BCO_REFRESH_CRON", "0 2 * * *")
#: Queue the standard refresh after each import (a worker runs it).
BCO_REFRESH_AFTER_IMPORT = env_bool("BCO_REFRESH_AFTER_IMPORT", True)
#: The public never sees a count between 1 and this minus 1 (applied at the next migrate).
BCO_PUBLIC_MIN_COUNT = int(os.environ.get("BCO_PUBLIC_MIN_COUNT", "3"))
#: The public sees dates to this resolution (month, quarter or year; applied at the next migrate).
BCO_PUBLIC_PERIOD = os.environ.get("BCO_PUBLIC_PERIOD", "month")
if BCO_PUBLIC_PERIOD not in {"month", "quarter", "year"}:
    raise ImproperlyConfigured(f"BCO_PUBLIC_PERIOD must be month, quarter or year; got {BCO_PUBLIC_PERIOD!r}")
#: Monthly bulletins (``bco bulletin``): where the HTML and PDF files are written and served from (/bulletins/).
BCO_BULLETIN_DIR = Path(os.environ.get("BCO_BULLETIN_DIR", VAR_DIR / "bulletins"))
#: The standard refresh writes the bulletin of the last complete month when it is missing.
BCO_BULLETIN_AFTER_REFRESH = env_bool("BCO_BULLETIN_AFTER_REFRESH", True)
#: After the standard refresh, render every tile over Belize up to this zoom into the cache
#: (services/tiles/prerender.py): the national and district views of the map. -1: none.
BCO_PRERENDER_MAX_ZOOM = env_number("BCO_PRERENDER_MAX_ZOOM", 8, int)
