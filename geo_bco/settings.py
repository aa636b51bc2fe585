"""Django settings, all from environment variables with safe local defaults.

Only ``SECRET_KEY`` has no safe default outside development: with ``DEBUG`` off the
site refuses to start without one (ImproperlyConfigured), so a production
deployment can never run on the development key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "local-development-only-not-secret"

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

#: Where the service is reached from outside; pygeoapi writes it into every link.
PUBLIC_URL = os.environ.get("BCO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

#: Run-time files (generated configs, uploads): never in git.
VAR_DIR = Path(os.environ.get("BCO_VAR_DIR", BASE_DIR / "var"))

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://geo_bco:geo_bco@127.0.0.1:5432/geo_bco"),
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=60,
    )
}

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
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # production serves collected static files (MapLibre, map.js) itself: no separate web server needed
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Belize"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
#: MapLibre GL JS comes from npm (package.json) and is served as a local asset: no CDN.
STATICFILES_DIRS = [("maplibre-gl", BASE_DIR / "node_modules" / "maplibre-gl" / "dist")]

REST_FRAMEWORK = {
    # sessions for the browser, HTTP Basic (over HTTPS in production) for scripts that upload exports
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
}

#: Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial
#: reference strings; geo-bco builds SRS only from its own constants (4326, 32616).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
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

# --- analysis refresh and the public rule --------------------------------------
#: Layer kinds the standard refresh computes after every import (``bco refresh``).
BCO_REFRESH_METHODS = [m for m in os.environ.get("BCO_REFRESH_METHODS", "kde,hotspots,emerging,area-counts").split(",") if m]
#: Parameters of the standard runs, per method (JSON); the rest take each method's defaults.
#: Kernel density at neighbourhood scale: Esri's default radius is made for a smooth national picture.
BCO_REFRESH_PARAMETERS = json.loads(os.environ.get("BCO_REFRESH_PARAMETERS", '{"kde": {"bandwidth": 1000, "cell_size": 100}}'))
#: Also compute each of them once per (non-sensitive) offence category.
BCO_REFRESH_PER_CATEGORY = env_bool("BCO_REFRESH_PER_CATEGORY", True)
#: Queue the standard refresh after each import (a worker runs it).
BCO_REFRESH_AFTER_IMPORT = env_bool("BCO_REFRESH_AFTER_IMPORT", True)
#: The public never sees a count between 1 and this minus 1 (applied at the next migrate).
BCO_PUBLIC_MIN_COUNT = int(os.environ.get("BCO_PUBLIC_MIN_COUNT", "3"))
