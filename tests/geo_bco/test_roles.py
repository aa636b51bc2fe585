"""Roles as auth groups kept in step with geo_bco/roles.py; the bco commands that manage users, roles,
API keys and the audit trail; the audit trail's append-only guarantee."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone

from geo_bco.models import ApiKey, AuditRecord
from geo_bco.roles import ROLES, grant, has_role, revoke, roles_of

pytestmark = pytest.mark.postgis


def group_permissions(name: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=name).permissions.select_related("content_type")}


def test_migrate_made_one_group_per_role_with_the_issue_s_permissions(db):
    assert {"analyst", "commander", "data steward", "admin"} <= set(Group.objects.values_list("name", flat=True))
    assert {"geo_bco.view_exact_incident", "geo_bco.view_sensitive_incident"} <= group_permissions("analyst")
    assert "geo_bco.view_exact_incident" not in group_permissions("commander")
    assert "geo_bco.view_aggregate_layer" in group_permissions("commander")
    assert "geo_bco.add_importbatch" in group_permissions("data steward")
    assert "geo_bco.view_exact_incident" not in group_permissions("data steward")
    admin = group_permissions("admin")
    assert len(admin) == Permission.objects.count()
    assert "geo_bco.view_auditrecord" in admin
    assert not {"geo_bco.change_auditrecord", "geo_bco.delete_auditrecord"} & admin  # they do not exist at all


def test_groups_are_put_back_to_the_code_on_every_migrate(db):
    analyst = Group.objects.get(name="analyst")
    analyst.permissions.add(Permission.objects.get(codename="delete_incident"))
    Group.objects.filter(name="commander").delete()
    call_command("migrate", verbosity=0)
    assert "geo_bco.delete_incident" not in group_permissions("analyst")
    assert group_permissions("commander") == set(ROLES["commander"].permissions)


def test_has_role_follows_permissions_and_superusers_have_every_role(db):
    alice = User.objects.create_user("alice")
    assert roles_of(alice) == []
    grant(alice, "analyst")
    alice = User.objects.get(pk=alice.pk)  # permission caches are per instance
    assert roles_of(alice) == ["analyst"] and not alice.is_staff
    assert has_role(alice, "analyst") and has_role(alice, "commander")  # an analyst's permissions include a commander's
    assert not has_role(alice, "steward") and not has_role(alice, "admin")
    root = User.objects.create_superuser("root", password="x")
    assert all(has_role(root, name) for name in ROLES) and roles_of(root) == []
    with pytest.raises(ValueError, match="role 'chief'"):
        has_role(alice, "chief")


def test_steward_and_admin_are_staff_until_the_last_such_role_goes(db):
    bob = User.objects.create_user("bob")
    grant(bob, "steward")
    grant(bob, "admin")
    assert User.objects.get(pk=bob.pk).is_staff
    revoke(bob, "steward")
    assert User.objects.get(pk=bob.pk).is_staff
    revoke(bob, "admin")
    assert not User.objects.get(pk=bob.pk).is_staff


def test_create_user_with_password_from_stdin_and_grant_revoke(db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("correct-horse-battery-9\n"))
    call_command("create_user", "carol", "--role", "analyst", "--password-stdin")
    carol = User.objects.get(username="carol")
    assert carol.check_password("correct-horse-battery-9") and roles_of(carol) == ["analyst"]
    call_command("role", "grant", "carol", "commander")
    call_command("role", "revoke", "carol", "analyst")
    assert roles_of(User.objects.get(username="carol")) == ["commander"]
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_user", "carol")
    with pytest.raises(CommandError, match="no user 'dave'"):
        call_command("role", "grant", "dave", "analyst")


def test_create_user_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("1234\n"))
    with pytest.raises(CommandError, match="password refused"):
        call_command("create_user", "erin", "--password-stdin")
    assert not User.objects.filter(username="erin").exists()


def test_api_key_create_prints_a_working_key_once_and_revoke_kills_it(db):
    User.objects.create_user("qgis-desk")
    out = io.StringIO()
    call_command("api_key", "create", "qgis-desk", "--label", "crime desk", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    assert ApiKey.objects.verify(key).label == "crime desk"
    call_command("api_key", "revoke", key[:12], stdout=io.StringIO())
    assert ApiKey.objects.verify(key) is None
    with pytest.raises(CommandError, match="no live API key"):
        call_command("api_key", "revoke", key[:12])


def audit_row(**fields) -> AuditRecord:
    user = User.objects.get_or_create(username="auditee")[0]
    values = {"user": user, "username": "auditee", "auth_method": "basic", "method": "GET", "path": "/x",
              "collection": "incidents", "feature_count": 1} | fields
    return AuditRecord.objects.create(**values)


@pytest.mark.parametrize("change", [
    lambda row: AuditRecord.objects.filter(pk=row.pk).update(feature_count=0),
    lambda row: AuditRecord.objects.filter(pk=row.pk).delete(),
], ids=["update", "delete"])
def test_the_database_refuses_to_change_or_delete_audit_rows(db, change):
    row = audit_row()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change(row)
    assert AuditRecord.objects.get(pk=row.pk).feature_count == 1


def test_a_user_with_audit_rows_cannot_be_deleted(db):
    from django.db.models import ProtectedError

    audit_row()
    with pytest.raises(ProtectedError):
        User.objects.get(username="auditee").delete()


def test_audit_export_is_csv_of_the_days_asked_for(db):
    now = timezone.now()
    audit_row(at=now - timedelta(days=10), collection="old", bbox=[1, 2, 3, 4])
    audit_row(at=now, collection="new", filters={"offence": "robbery"}, client_address="192.0.2.1")
    out = io.StringIO()
    since = timezone.localdate(now - timedelta(days=1)).isoformat()
    call_command("audit", "export", "--since", since, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["collection"] for r in rows] == ["new"]
    assert rows[0]["filters"] == '{"offence": "robbery"}' and rows[0]["client_address"] == "192.0.2.1"
    out = io.StringIO()
    call_command("audit", "export", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["collection"] for r in rows] == ["old", "new"] and rows[0]["bbox"] == "[1, 2, 3, 4]"
    with pytest.raises(CommandError, match="--since 'yesterday'"):
        call_command("audit", "export", "--since", "yesterday")


def test_admin_shows_audit_rows_read_only(client, db):
    admin = User.objects.create_user("boss", password="x")
    grant(admin, "admin")
    row = audit_row()
    client.force_login(admin)
    assert client.get("/admin/geo_bco/auditrecord/").status_code == 200
    page = client.get(f"/admin/geo_bco/auditrecord/{row.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(f"/admin/geo_bco/auditrecord/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditRecord.objects.filter(pk=row.pk).exists()
