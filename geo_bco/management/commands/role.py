"""``bco grant-role NAME ROLE``, ``bco revoke-role NAME ROLE``, ``bco role list``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from geo_bco.roles import ROLES, grant, revoke, roles_of


def get_user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"no user {username!r} (create one with `bco create-user {username} --role ROLE`)") from None


class Command(BaseCommand):
    help = "Grant or revoke a role, or list the roles and who holds them."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        for action in ("grant", "revoke"):
            sub = actions.add_parser(action)
            sub.add_argument("username")
            sub.add_argument("role", choices=list(ROLES))
        actions.add_parser("list")

    def handle(self, *args, action, **opts):
        if action == "list":
            users = get_user_model().objects.filter(is_active=True).order_by("username")
            holders = {name: [u.username for u in users if name in roles_of(u)] for name in ROLES}
            for role in ROLES.values():
                self.stdout.write(f"{role.name:10} {role.description}\n{'':10} {', '.join(holders[role.name]) or '-'}")
            return
        user = get_user(opts["username"])
        (grant if action == "grant" else revoke)(user, opts["role"])
        self.stdout.write(f"{user.username}: {', '.join(roles_of(user)) or 'no roles'}")
