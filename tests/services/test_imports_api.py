"""Upload endpoint and batch / quality reports for data stewards."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.postgis

CSV = (b"source_id,offence,occurred_at,latitude,longitude\n"
       b"A1,burglary,2025-03-01 21:30,17.2510,-88.7590\n"
       b"A2,not-a-crime,2025-03-01 21:30,17.2510,-88.7590\n")


@pytest.fixture
def steward(client, reference_data):
    user = User.objects.create_user("steward", password="not-a-real-password")
    user.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client.force_login(user)
    return client


def upload(client, content: bytes = CSV, name: str = "march.csv", **fields):
    return client.post("/api/imports/", {"file": SimpleUploadedFile(name, content), **fields})


def test_anonymous_and_plain_users_cannot_import(client, reference_data):
    assert upload(client).status_code in (401, 403)
    client.force_login(User.objects.create_user("reader", password="x"))
    assert upload(client).status_code == 403


def test_steward_uploads_and_gets_the_batch_report(steward):
    response = upload(steward, source="rms")
    assert response.status_code == 201
    body = response.json()
    assert body["file_name"] == "march.csv"
    assert body["tally"] == {"rows": 2, "inserted": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert body["rejected_rows"][0]["row"] == 2
    assert body["rejected_rows"][0]["reasons"][0]["code"] == "unknown_offence"
    assert body["rejected_rows"][0]["raw"]["offence"] == "not-a-crime"
    again = upload(steward, source="rms")
    assert again.status_code == 200 and again.json()["already_imported"]
    detail = steward.get(f"/api/imports/{body['id']}/").json()
    assert detail["tally"] == body["tally"]


def test_unreadable_upload_is_a_400_naming_the_upload(steward):
    response = upload(steward, content=b"a,b\n\x81\x8d\x90\n", name="bad.csv")
    assert response.status_code == 400
    assert response.json()["file"][0].startswith("bad.csv: line 2")


def test_unsupported_type_and_hostile_profile_are_refused(steward):
    assert upload(steward, name="x.exe").status_code == 400
    assert upload(steward, profile="../../etc/passwd").status_code == 400
    assert upload(steward, profile="nope").status_code == 400


def test_quality_report_counts_precision_and_reasons(steward):
    upload(steward, source="rms")
    report = steward.get("/api/quality/rms/").json()
    assert report["incidents"] == 1 and report["rows_rejected"] == 1
    assert report["geocoding"][0]["precision"] == "exact" and report["geocoding"][0]["share"] == 1.0
    assert report["top_rejection_reasons"] == [{"code": "unknown_offence", "field": "offence", "rows": 1}]


def test_late_correction_is_reported(steward):
    from datetime import timedelta

    from geo_bco.models import Incident

    upload(steward, source="rms")
    Incident.objects.update(created_at=Incident.objects.get().created_at - timedelta(days=10))
    upload(steward, content=CSV.replace(b"A1,burglary", b"A1,robbery"), name="april.csv", source="rms")
    late = steward.get("/api/quality/rms/").json()["late_corrections"]
    assert late["incidents"] == 1 and late["median_days_after_first_import"] == pytest.approx(10, abs=0.01)
