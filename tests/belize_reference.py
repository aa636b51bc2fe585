"""The reference data most database tests need: offence types and Belize's boundaries."""

from __future__ import annotations

import importlib


def ensure_reference_data() -> None:
    """Offences and Belize boundaries, loaded if missing (transactional tests flush them)."""
    from django.apps import apps

    from boundaries.loading import load_belize_reference
    from boundaries.models import Boundary
    from geo_bco.models import OffenceType

    if not OffenceType.objects.exists():
        importlib.import_module("geo_bco.migrations.0002_seed_offences").seed(apps, None)
    if Boundary.objects.filter(boundary_set__slug="districts").count() != 6:
        load_belize_reference()
