"""``bco create-user NAME --role analyst [--password-stdin]``."""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import ValidationError, validate_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from geo_bco.roles import ROLES, grant


def read_password(from_stdin: bool) -> str | None:
    """The new password: one line of stdin, a prompt on a terminal, or None (API keys only)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("--password-stdin: stdin held no password")
        return password
    if not sys.stdin.isatty():
        return None
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password (again): "):
        raise CommandError("the two passwords differ")
    return password


class Command(BaseCommand):
    help = ("Create a user with one or more roles (" + ", ".join(ROLES) + "). Without a password "
            "(no terminal, no --password-stdin) the user can only sign in with an API key (`bco api-key create`).")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", choices=list(ROLES), default=[], dest="roles")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")

    def handle(self, *args, username, roles, email, password_stdin, **opts):
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} exists already; use `bco grant-role {username} ROLE`")
        password = read_password(password_stdin)
        user = users(username=username, email=email)
        if password is None:
            user.set_unusable_password()
        else:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("password refused: " + " ".join(exc.messages)) from None
            user.set_password(password)
        with transaction.atomic():
            user.save()
            for role in roles:
                grant(user, role)
        self.stdout.write(f"created {username} with roles: {', '.join(roles) or 'none'}"
                          + ("" if password else " (no password: API keys only)"))
