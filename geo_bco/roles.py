"""The observatory's roles, as Django auth groups whose permissions are declared here.

A role is a named set of permissions; a user *has* a role when they hold all of its
permissions (through the group, directly, or as a superuser), so checks read
``has_role(user, "analyst")`` and never a group name, and an analyst passes a commander
check (their permissions include the commander's). ``sync_groups`` runs after every
``migrate`` (geo_bco/apps.py), so the groups in the database always match this table.
The public is the anonymous user: no group, no permission.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction


@dataclass(frozen=True)
class Role:
    name: str
    group: str
    description: str
    permissions: tuple[str, ...]  # "app_label.codename"
    staff: bool = False  # may sign in to /admin/ (which then shows only what the permissions allow)


ROLES: dict[str, Role] = {role.name: role for role in (
    Role("analyst", "analyst", "exact points with time, every offence, every layer and run", (
        "geo_bco.view_exact_incident", "geo_bco.view_sensitive_incident", "geo_bco.view_analyst_layer",
        "geo_bco.view_aggregate_layer", "geo_bco.view_dashboard", "geo_bco.view_analysisrun",
        "geo_bco.add_analysisrun",
    )),
    Role("commander", "commander", "dashboards and aggregated layers; no exact points", (
        "geo_bco.view_aggregate_layer", "geo_bco.view_dashboard", "geo_bco.view_analysisrun",
    )),
    Role("steward", "data steward", "imports, rejected rows, quality reports, the gazetteer", (
        "geo_bco.add_importbatch", "geo_bco.view_importbatch", "geo_bco.view_rejectedrow",
        "geo_bco.view_quality_report", "geo_bco.view_offencetype",
        "geo_bco.view_place", "geo_bco.add_place", "geo_bco.change_place",
    ), staff=True),
    Role("admin", "admin", "every permission (the audit trail read-only), users and roles", ("*",), staff=True),
)}


def get_role(name: str) -> Role:
    try:
        return ROLES[name]
    except KeyError:
        raise ValueError(f"role {name!r}: unknown; choose one of {', '.join(ROLES)}") from None


def _permissions(role: Role) -> list[Permission]:
    if role.permissions == ("*",):
        return list(Permission.objects.all())
    found = {f"{p.content_type.app_label}.{p.codename}": p
             for p in Permission.objects.select_related("content_type")}
    missing = sorted(set(role.permissions) - set(found))
    if missing:
        raise LookupError(f"role {role.name!r} names permissions that do not exist: {', '.join(missing)}")
    return [found[name] for name in role.permissions]


@transaction.atomic
def sync_groups() -> None:
    """Create or correct every role's group: exactly the declared permissions, no more."""
    for role in ROLES.values():
        group, _ = Group.objects.get_or_create(name=role.group)
        group.permissions.set(_permissions(role))


def has_role(user, name: str) -> bool:
    role = get_role(name)
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if role.permissions == ("*",):
        return user.groups.filter(name=role.group).exists()
    return user.has_perms(role.permissions)


def grant(user, name: str) -> None:
    role = get_role(name)
    user.groups.add(Group.objects.get(name=role.group))
    if role.staff and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def revoke(user, name: str) -> None:
    """Remove the role's group; staff status goes when no remaining role needs it."""
    role = get_role(name)
    user.groups.remove(Group.objects.get(name=role.group))
    keeps_staff = any(r.staff for r in ROLES.values() if user.groups.filter(name=r.group).exists())
    if user.is_staff and not keeps_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])


def roles_of(user) -> list[str]:
    """The roles granted to ``user`` (their groups); ``has_role`` is wider: an analyst may do what a commander may."""
    groups = set(user.groups.values_list("name", flat=True))
    return [role.name for role in ROLES.values() if role.group in groups]
