"""Roles on the endpoints (200 / 401 / 403), HTTP Basic and API keys, the audit trail of exact reads."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from geo_bco.models import ApiKey, AuditRecord, Incident
from geo_bco.roles import grant
from services.access import authenticate, record_exact_read, require_role

pytestmark = pytest.mark.postgis

PASSWORD = "a-long-test-password-41"
CSV = (b"source_id,offence,occurred_at,latitude,longitude\n"
       b"A1,burglary,2025-03-01 21:30,17.2510,-88.7590\n"
       b"A2,sexual-offence,2025-03-02 02:10,17.2530,-88.7610\n")


def basic(username: str, password: str = PASSWORD) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.fixture
def users(db):
    made = {}
    for role in ("analyst", "commander", "steward"):
        made[role] = User.objects.create_user(role, password=PASSWORD)
        grant(made[role], role)
    made["nobody"] = User.objects.create_user("nobody", password=PASSWORD)
    return made


@pytest.fixture
def incidents(reference_data):
    from geo_bco.ingest import import_file

    def load(tmp_path):
        path = tmp_path / "two.csv"
        path.write_bytes(CSV)
        import_file(path, source_system="rms")
    return load


ANALYST_URL = "/api/analyst/incidents/"


def test_anonymous_gets_401_with_basic_challenge(client, users):
    response = client.get(ANALYST_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="geo-bco"'
    assert "features" not in response.json()


@pytest.mark.parametrize("role", ["commander", "steward", "nobody"])
def test_other_roles_get_403(client, users, role):
    assert client.get(ANALYST_URL, **basic(role)).status_code == 403


def test_wrong_password_is_401_not_anonymous_data(client, users):
    response = client.get(ANALYST_URL, **basic("analyst", "wrong"))
    assert response.status_code == 401


def test_analyst_reads_exact_incidents_by_session_basic_and_api_key(client, users, incidents, tmp_path):
    incidents(tmp_path)
    _, key = ApiKey.objects.issue(users["analyst"], "qgis")
    by_basic = client.get(ANALYST_URL, **basic("analyst")).json()
    by_key = client.get(ANALYST_URL, HTTP_X_API_KEY=key).json()
    client.force_login(users["analyst"])
    by_session = client.get(ANALYST_URL).json()
    assert by_basic == by_key == by_session
    assert "no-store" in client.get(ANALYST_URL)["Cache-Control"]  # exact records stay in no cache
    features = {f["properties"]["source_id"]: f for f in by_basic["features"]}
    assert set(features) == {"A1", "A2"}  # the sensitive offence too
    assert features["A2"]["properties"]["sensitive"] is True
    exact = Incident.objects.get(source_id="A2")
    assert features["A2"]["geometry"]["coordinates"] == pytest.approx([exact.location.x, exact.location.y], abs=1e-9)
    assert dt.datetime.fromisoformat(features["A2"]["properties"]["occurred_at"]) == exact.occurred_at
    assert ApiKey.objects.get().last_used_at is not None


def test_revoked_key_and_inactive_user_are_refused(client, users):
    from django.utils import timezone

    row, key = ApiKey.objects.issue(users["analyst"])
    assert client.get(ANALYST_URL, HTTP_X_API_KEY=key).status_code == 200
    ApiKey.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    assert client.get(ANALYST_URL, HTTP_X_API_KEY=key).status_code == 401
    _, other = ApiKey.objects.issue(users["analyst"])
    User.objects.filter(username="analyst").update(is_active=False)
    assert client.get(ANALYST_URL, HTTP_X_API_KEY=other).status_code == 401
    assert client.get(ANALYST_URL, HTTP_X_API_KEY=other[:-2] + "xx").status_code == 401


def test_only_the_digest_of_a_key_is_stored(users):
    row, key = ApiKey.objects.issue(users["analyst"])
    stored = ApiKey.objects.filter(pk=row.pk).values_list("lookup", "digest").get()
    assert key not in "".join(stored) and key.split("_")[2] not in "".join(stored)


def test_exact_read_is_audited_with_filter_bbox_and_count(client, users, incidents, tmp_path):
    incidents(tmp_path)
    bbox = "-88.77,17.24,-88.75,17.26"
    body = client.get(ANALYST_URL, {"in_bbox": bbox, "offence": "burglary", "since": "2025-03-01"}, **basic("analyst"),
                      REMOTE_ADDR="192.0.2.7").json()
    assert [f["properties"]["source_id"] for f in body["features"]] == ["A1"]
    record = AuditRecord.objects.get()
    assert (record.username, record.auth_method, record.client_address) == ("analyst", "basic", "192.0.2.7")
    assert record.collection == "incidents" and record.feature_count == 1
    assert record.bbox == [-88.77, 17.24, -88.75, 17.26]
    assert record.filters == {"offence": "burglary", "since": "2025-03-01"}
    assert record.path == ANALYST_URL and "offence=burglary" in record.query_string


def test_public_reads_and_refusals_are_not_audited(client, users, incidents, tmp_path):
    incidents(tmp_path)
    assert client.get("/api/incidents/").status_code == 200
    assert client.get("/api/incidents/", **basic("analyst")).status_code == 200
    client.get(ANALYST_URL)
    client.get(ANALYST_URL, **basic("commander"))
    assert AuditRecord.objects.count() == 0


@pytest.mark.parametrize("query, name", [({"in_bbox": "1,2,3"}, "in_bbox"), ({"since": "March"}, "since"),
                                         ({"page_size": "-1"}, "page_size")], ids=["bbox", "date", "page"])
def test_bad_filter_is_a_400_naming_the_parameter(client, users, query, name):
    response = client.get(ANALYST_URL, query, **basic("analyst"))
    assert response.status_code == 400 and name in response.json()
    assert AuditRecord.objects.count() == 0


def test_dates_filter_on_belize_days(client, users, incidents, tmp_path):
    incidents(tmp_path)  # A1 on 1 March 21:30, A2 on 2 March 02:10, Belize time (both 2 March in UTC)
    def ids(query):
        return [f["properties"]["source_id"] for f in client.get(ANALYST_URL, query, **basic("analyst")).json()["features"]]

    assert ids({"until": "2025-03-01"}) == ["A1"]
    assert ids({"since": "2025-03-02"}) == ["A2"]
    assert ids({}) == ["A2", "A1"]  # newest first


def upload(client, **extra):
    return client.post("/api/imports/", {"file": SimpleUploadedFile("march.csv", CSV)}, **extra)


def test_upload_api_by_role(client, users, reference_data):
    anonymous = upload(client)
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Basic")
    assert upload(client, **basic("analyst")).status_code == 403
    assert upload(client, **basic("commander")).status_code == 403
    assert upload(client, **basic("steward")).status_code == 201
    _, key = ApiKey.objects.issue(users["steward"])
    assert upload(client, HTTP_X_API_KEY=key).status_code == 200  # the same file: already imported


def test_upload_over_the_limit_is_413_naming_the_limit(client, users, reference_data, settings):
    settings.MAX_IMPORT_UPLOAD_MB = 0.0001  # 100 bytes
    response = upload(client, **basic("steward"))
    assert response.status_code == 413
    assert "over the 0.0001 MB limit (BCO_MAX_IMPORT_UPLOAD_MB)" in response.json()["file"][0]
    assert not Incident.objects.exists()


# --- the functions the OGC API and tiles will call, on plain Django requests ---------

def plain_request(**headers):
    request = RequestFactory().get("/ogcapi/collections/incidents-exact/items", **headers)
    request.user = AnonymousUser()  # what AuthenticationMiddleware sets when there is no session
    return request


def test_authenticate_and_require_role_on_a_plain_request(users):
    _, key = ApiKey.objects.issue(users["analyst"])
    assert authenticate(plain_request()) is None
    assert authenticate(plain_request(**basic("analyst"))) == users["analyst"]
    assert authenticate(plain_request(HTTP_X_API_KEY=key)) == users["analyst"]
    assert authenticate(plain_request(**basic("analyst", "nope"))) is None
    refusal = require_role(plain_request(), "analyst")
    assert refusal.status_code == 401 and refusal["WWW-Authenticate"] == 'Basic realm="geo-bco"'
    assert require_role(plain_request(**basic("commander")), "analyst").status_code == 403
    assert require_role(plain_request(HTTP_X_API_KEY=key), "analyst") is None
    with pytest.raises(ValueError, match="role 'analist'"):
        require_role(plain_request(), "analist")


def test_record_exact_read_refuses_an_anonymous_request(users):
    with pytest.raises(ValueError, match="anonymous"):
        record_exact_read(plain_request(), collection="incidents-exact", feature_count=1)
    row = record_exact_read(plain_request(**basic("analyst")), collection="incidents-exact", feature_count=3)
    assert (row.username, row.auth_method, row.collection, row.feature_count) == ("analyst", "basic", "incidents-exact", 3)
