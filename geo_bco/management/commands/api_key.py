"""``bco api-key create NAME [--label ...]`` (prints the key once), ``revoke KEY``, ``list [NAME]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from geo_bco.models import ApiKey
from geo_bco.models.access import KEY_PREFIX

from .role import get_user


class Command(BaseCommand):
    help = "API keys for GIS clients and scripts (sent as the X-API-Key header)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a key for a user; it is shown once")
        create.add_argument("username")
        create.add_argument("--label", default="", help="what the key is for, e.g. 'QGIS on the crime desk'")
        revoke = actions.add_parser("revoke", help="revoke a key, named by its start (bco_1a2b3c4d) or itself")
        revoke.add_argument("key")
        listing = actions.add_parser("list")
        listing.add_argument("username", nargs="?")

    def handle(self, *args, action, **opts):
        if action == "create":
            user = get_user(opts["username"])
            row, key = ApiKey.objects.issue(user, opts["label"])
            self.stderr.write(f"API key {row.lookup} for {user.username}; store it now, it is not shown again:")
            self.stdout.write(key)
        elif action == "revoke":
            lookup = opts["key"].removeprefix(KEY_PREFIX).split("_", 1)[0].rstrip("…")
            revoked = ApiKey.objects.filter(lookup=lookup, revoked_at__isnull=True).update(revoked_at=timezone.now())
            if not revoked:
                raise CommandError(f"no live API key {opts['key']!r} (see `bco api-key list`)")
            self.stdout.write(f"revoked {KEY_PREFIX}{lookup}")
        else:
            rows = ApiKey.objects.select_related("user")
            if opts["username"]:
                rows = rows.filter(user__username=opts["username"])
            for row in rows:
                state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
                used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
                self.stdout.write(f"{KEY_PREFIX}{row.lookup}  {row.user.username:15} {state:18} used {used:16} {row.label}")
