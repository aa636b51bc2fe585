"""``bco``: the one command-line entry point for data stewards and operators.

It is Django's management utility with friendlier verbs: ``bco import FILE``,
``bco analyse kde``, ``bco refresh``, ``bco prerender-tiles``, ``bco bulletin --month 2025-03``, ``bco load-boundaries --belize``,
``bco worker``, ``bco scheduler``, ``bco serve``, ``bco prod start|stop|status``, ``bco backup FILE``,
``bco restore FILE``, ``bco create-user NAME --role analyst``, ``bco grant-role NAME ROLE``, ``bco api-key create NAME``;
any other Django command (``bco migrate``, ``bco createsuperuser``) passes through.
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "import": ["import_incidents"],
    "analyse": ["analyse"],
    "analyze": ["analyse"],
    "load-boundaries": ["load_boundaries"],
    "load-gazetteer": ["load_gazetteer"],
    "demo-data": ["demo_data"],
    "ogc-config": ["ogc_config"],
    "quality": ["quality"],
    "refresh": ["refresh"],
    "prerender-tiles": ["prerender_tiles"],
    "bulletin": ["bulletin"],
    "worker": ["worker"],
    "scheduler": ["worker", "--queue", "schedule"],
    "prod": ["prod"],
    "backup": ["backup"],
    "restore": ["restore"],
    "serve": ["serve"],
    "create-user": ["create_user"],
    "grant-role": ["role", "grant"],
    "revoke-role": ["role", "revoke"],
    "roles": ["role", "list"],
    "api-key": ["api_key"],
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_bco.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args = ALIASES[args[0]] + args[1:]
    execute_from_command_line(["bco", *args])


if __name__ == "__main__":
    main()
