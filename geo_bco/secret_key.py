"""The signing key: from ``SECRET_KEY``, else generated once into a file that never leaves the machine.

A fixed development key in the code would be a secret everyone knows; a key generated
at each start would log everyone out and break signed links on every restart. So a
deployment either passes ``SECRET_KEY`` (several hosts must share one) or gets a random
key written once to ``<BCO_VAR_DIR>/secret_key`` (mode 0600, git-ignored), which
``setup.sh`` creates on its first ``bco`` command.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def load_or_create_secret_key(path: Path) -> str:
    """The key stored at ``path``, created (atomically, readable by its owner only) if missing."""
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
            try:
                os.link(draft, path)  # atomic; fails if another process got there first: theirs wins
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        except OSError as exc:
            raise ImproperlyConfigured(f"SECRET_KEY is not set and {path} cannot be created ({exc.strerror}): "
                                       "set SECRET_KEY or a writable BCO_VAR_DIR") from exc
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds a key shorter than 50 characters: delete it to generate a new one")
    return key
