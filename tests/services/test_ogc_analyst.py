"""The analysts' OGC API (/analyst/ogcapi): exact data only with the analyst role, by
HTTP Basic or an API key as QGIS sends them, every read of features audited; and real
QGIS loading an analyst collection through an authentication configuration."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import User

from geo_bco.models import ApiKey, AuditRecord, Incident
from geo_bco.roles import grant
from services.jobs import create_run, execute_run
from services.ogc.config import build_analyst_config, build_pygeoapi_config

from test_ogc_qgis import needs_qgis

pytestmark = pytest.mark.postgis

PASSWORD = "a-long-test-password-41"
CSV = ("source_id,offence,occurred_at,latitude,longitude\n"
       "A1,burglary,2025-03-01 21:30,17.2510,-88.7590\n"
       "A2,sexual-offence,2025-03-02 02:10,17.2530,-88.7610\n")
PROBE = Path(__file__).with_name("qgis_probe.py")


def auth(username: str) -> tuple[str, str]:
    return (username, PASSWORD)


@pytest.fixture
def analyst_api(ogc_connections_closed, live_server, settings, reference_data_committed, write_csv, demo_incidents):
    """A live server whose analysts' API has exact incidents (one sensitive) and a near-repeat run."""
    from geo_bco.ingest import import_file

    settings.PYGEOAPI_CONFIG = build_pygeoapi_config(public_url=live_server.url, debug=False)
    settings.BCO_ANALYST_OGC_CONFIG = build_analyst_config(public_url=live_server.url, debug=False)
    import_file(write_csv(CSV), source_system="rms")
    demo_incidents(rows=300)
    execute_run(create_run("near-repeat", parameters={"permutations": 9}).pk)
    for role in ("analyst", "commander"):
        grant(User.objects.create_user(role, password=PASSWORD), role)
    return f"{live_server.url}/analyst/ogcapi"


@pytest.mark.parametrize("path", ["", "/", "/collections", "/collections/incidents/items",
                                  "/collections/incidents/items/1", "/openapi"])
def test_anonymous_gets_401_with_a_basic_challenge_and_no_data(analyst_api, path):
    response = requests.get(analyst_api + path, params={"f": "json"}, timeout=30)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == 'Basic realm="geo-bco"'
    assert "features" not in response.text and "collections" not in response.json()


def test_other_roles_get_403(analyst_api):
    response = requests.get(analyst_api + "/collections/incidents/items", auth=auth("commander"), timeout=30)
    assert response.status_code == 403


def test_analyst_reads_exact_incidents_with_time_and_sensitive_offences(analyst_api):
    response = requests.get(analyst_api + "/collections/incidents/items", params={"f": "json", "limit": 10000},
                            auth=auth("analyst"), timeout=30)
    assert response.status_code == 200
    body = response.json()
    by_source = {f["properties"]["source_id"]: f for f in body["features"]}
    assert body["numberMatched"] == Incident.objects.count() == len(body["features"])
    sensitive = by_source["A2"]
    assert sensitive["properties"]["offence"] == "sexual-offence" and sensitive["properties"]["sensitive"]
    assert sensitive["properties"]["occurred_at"].startswith("2025-03-02T08:10")  # 02:10 Belize = 08:10 UTC
    assert sensitive["geometry"]["coordinates"] == pytest.approx([-88.7610, 17.2530], abs=1e-9)  # the exact point


def test_every_read_of_features_is_audited_and_public_reads_are_not(analyst_api):
    bbox = "-89,17,-88,18"
    page = requests.get(analyst_api + "/collections/incidents/items", params={"bbox": bbox, "offence": "burglary"},
                        auth=auth("analyst"), timeout=30).json()
    first = Incident.objects.order_by("id").first().pk
    requests.get(analyst_api + f"/collections/incidents/items/{first}", auth=auth("analyst"), timeout=30)
    requests.get(analyst_api.replace("/analyst", "") + "/collections/incidents/items", timeout=30)
    requests.get(analyst_api + "/collections", auth=auth("analyst"), timeout=30)  # no features: not a read
    listed, item = AuditRecord.objects.order_by("id")
    assert (listed.username, listed.collection, listed.auth_method) == ("analyst", "incidents", "basic")
    assert listed.filters == {"offence": "burglary"} and listed.bbox == [-89, 17, -88, 18]
    assert listed.feature_count == page["numberReturned"] == len(page["features"]) > 0
    assert (item.feature_count, item.filters) == (1, {"id": str(first)})


def test_an_api_key_header_is_accepted(analyst_api):
    _, key = ApiKey.objects.issue(User.objects.get(username="analyst"), "qgis")
    response = requests.get(analyst_api + "/collections/near-repeat/items", headers={"X-API-Key": key}, timeout=30)
    assert response.status_code == 200 and response.json()["numberReturned"] > 0
    assert AuditRecord.objects.get().auth_method == "api-key"


def test_exact_layers_are_listed_for_analysts_only(analyst_api):
    analysts = {c["id"] for c in requests.get(analyst_api + "/collections", params={"f": "json"},
                                              auth=auth("analyst"), timeout=30).json()["collections"]}
    public = {c["id"] for c in requests.get(analyst_api.replace("/analyst", "") + "/collections",
                                            params={"f": "json"}, timeout=30).json()["collections"]}
    assert {"incidents", "near-repeat", "near-repeat-runs", "kde-runs"} <= analysts
    assert "near-repeat" not in public
    tables = [r["providers"][0]["table"] for r in settings.BCO_ANALYST_OGC_CONFIG["resources"].values()]
    assert all(t.startswith(("analyst_", "public_")) for t in tables)


def test_public_html_pages_never_show_the_analysts_configuration(analyst_api):
    """pygeoapi caches the configuration its HTML pages render per language only, process-wide
    (services/ogc/html_config.py): an analyst's page must not shape the public's, nor the reverse."""
    public_api = analyst_api.replace("/analyst", "")
    first = requests.get(public_api + "/collections/incidents", params={"f": "html"}, timeout=30)
    analyst = requests.get(analyst_api + "/collections/incidents", params={"f": "html"}, auth=auth("analyst"),
                           timeout=30)
    assert analyst.status_code == 200 and "analysts only" in analyst.text and "/analyst/ogcapi/static/" in analyst.text
    for path in ("/", "/collections/incidents"):
        public = requests.get(public_api + path, params={"f": "html"}, timeout=30)
        assert public.status_code == 200 and "/analyst/" not in public.text and "analysts only" not in public.text
    assert "analysts only" not in first.text


def _qgis(url: str, collection: str, credentials: tuple[str, str] | None) -> dict:
    spec = [{"collection": collection, "auth": list(credentials) if credentials else None}]
    done = subprocess.run(["/usr/bin/python3", str(PROBE), url, json.dumps(spec)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])[0]


@pytest.mark.parametrize("path", ["", "/collections", "/collections/incidents", "/collections/incidents/items?limit=5",
                                  "/openapi?f=json"])
def test_every_analyst_answer_is_kept_by_no_cache(analyst_api, path):
    """Not by a proxy, nor by the client's own disk cache (QGIS shares one across profiles:
    the next QGIS without credentials would load the layer from it), and every read reaches the audit."""
    public = requests.get(analyst_api.replace("/analyst/ogcapi", "/ogcapi") + path, timeout=30)
    assert "no-store" not in public.headers.get("Cache-Control", "")
    for credentials in (auth("analyst"), None):
        response = requests.get(analyst_api + path, auth=credentials, timeout=30)
        assert response.status_code == (200 if credentials else 401)
        assert {"private", "no-store"} <= set(response.headers["Cache-Control"].replace(" ", "").split(",")), path


@needs_qgis
def test_qgis_with_a_basic_authcfg_loads_the_exact_incidents(analyst_api):
    seen = _qgis(analyst_api, "incidents", auth("analyst"))
    assert seen["valid"] and len(seen["ids"]) == Incident.objects.count()
    assert seen["authcfg"]  # the credentials went through QGIS's own authentication manager
    assert not _qgis(analyst_api, "incidents", None)["valid"]  # without them, no layer
    assert AuditRecord.objects.filter(username="analyst", collection="incidents").exists()
